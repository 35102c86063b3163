package resolver

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/safepip/safepip/index"
	"github.com/safepip/safepip/pypa/pep508"
)

// recordingSource is a memSource that records what was asked of it.
type recordingSource struct {
	memSource
	mu    sync.Mutex
	asked []string // "page NAME" and "metadata FILENAME"
}

func (s *recordingSource) Project(ctx context.Context, name string) (*index.Project, error) {
	s.record("page " + name)
	return s.memSource.Project(ctx, name)
}

func (s *recordingSource) Metadata(ctx context.Context, p *index.Project, f index.File) ([]byte, error) {
	s.record("metadata " + f.Filename)
	return s.memSource.Metadata(ctx, p, f)
}

func (s *recordingSource) record(what string) {
	s.mu.Lock()
	s.asked = append(s.asked, what)
	s.mu.Unlock()
}

func TestWarm(t *testing.T) {
	src := &recordingSource{memSource: memSource{
		"app": {
			{version: "1.0", requires: []string{"lib>=1"}},
			{version: "2.0", requires: []string{"lib>=2", "shared", "winonly; sys_platform == 'win32'", `extra-dep; extra == "x"`}},
			{version: "3.0b1", requires: []string{"never"}},
		},
		"lib": {
			{version: "2.0", requires: []string{"shared"}},
			{version: "3.0", requires: []string{"shared"}, yanked: true},
		},
		"pinned": {{version: "1.0"}, {version: "2.0", requires: []string{"never"}}},
		"shared": {{version: "1.0"}},
	}}
	var reqs []pep508.Requirement
	for _, s := range []string{"app", "pinned==1.0", "gone", "marked; python_version < '3'"} {
		r, err := pep508.ParseRequirement(s)
		if err != nil {
			t.Fatal(err)
		}
		reqs = append(reqs, r)
	}
	Warm(context.Background(), src, reqs, 4)
	got := slices.Sorted(slices.Values(src.asked))
	want := []string{
		"metadata app-2.0-py3-none-any.whl",    // newest final release
		"metadata lib-2.0-py3-none-any.whl",    // 3.0 is yanked
		"metadata pinned-1.0-py3-none-any.whl", // the requirement's specifier
		"metadata shared-1.0-py3-none-any.whl", // asked once, though named twice
		"page app",
		"page gone", // missing: ignored, the resolution reports it
		"page lib",
		"page pinned",
		"page shared",
	}
	if !slices.Equal(got, want) {
		t.Errorf("asked:\n  %s\nwant:\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
}

func TestWarmStopsWhenCancelled(t *testing.T) {
	src := &recordingSource{memSource: memSource{"a": {{version: "1.0", requires: []string{"b"}}}, "b": {{version: "1.0"}}}}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	r, _ := pep508.ParseRequirement("a")
	Warm(ctx, src, []pep508.Requirement{r}, 1)
	if len(src.asked) != 0 {
		t.Errorf("asked %v after the context was done", src.asked)
	}
}
