package resolver

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/safepip/safepip/config"
	"github.com/safepip/safepip/index"
	"github.com/safepip/safepip/pypa/metadata"
	"github.com/safepip/safepip/pypa/pep508"
)

// fileSource is a Source over files held in memory, wheels and sdists,
// each with the metadata its index (or PKG-INFO) gives, and local
// projects. It records every page asked for.
type fileSource struct {
	files map[string][]fakeFile // project -> its page
	local map[string]*metadata.Metadata

	mu    sync.Mutex
	pages []string
}

type fakeFile struct {
	name string // file name: a wheel or an sdist
	meta string // core metadata text
}

func (s *fileSource) Project(ctx context.Context, name string) (*index.Project, error) {
	s.mu.Lock()
	s.pages = append(s.pages, name)
	s.mu.Unlock()
	fs, ok := s.files[name]
	if !ok {
		return nil, &index.NotFoundError{Index: "mem", Project: name}
	}
	p := &index.Project{Name: name, Index: "mem"}
	for _, f := range fs {
		p.Files = append(p.Files, index.File{Filename: f.name, URL: "mem:///" + f.name, Hashes: map[string]string{"sha256": strings.Repeat("0", 64)}})
	}
	return p, nil
}

func (s *fileSource) Metadata(ctx context.Context, p *index.Project, f index.File) ([]byte, error) {
	for _, ff := range s.files[p.Name] {
		if ff.name == f.Filename {
			return []byte(ff.meta), nil
		}
	}
	return nil, fmt.Errorf("no metadata for %s", f.Filename)
}

func (s *fileSource) Local(name string) *metadata.Metadata { return s.local[name] }

func (s *fileSource) asked(name string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Contains(s.pages, name)
}

// meta is the core metadata text of name version (Metadata-Version mv)
// with extra header lines.
func meta(mv, name, version string, lines ...string) string {
	s := "Metadata-Version: " + mv + "\nName: " + name + "\nVersion: " + version + "\n"
	for _, l := range lines {
		s += l + "\n"
	}
	return s
}

func mustMeta(t *testing.T, text string) *metadata.Metadata {
	t.Helper()
	md, err := metadata.Parse("test metadata", []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	return md
}

func mustReqs(t *testing.T, ss ...string) []pep508.Requirement {
	t.Helper()
	var out []pep508.Requirement
	for _, s := range ss {
		r, err := pep508.ParseRequirement(s)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	return out
}

func fileNames(p *Package) []string {
	var out []string
	for _, f := range p.Files {
		out = append(out, f.Filename)
	}
	return out
}

func findPackage(res *Resolution, name string) *Package {
	for _, p := range res.Packages {
		if p.Name == name {
			return p
		}
	}
	return nil
}

// noBinarySource: a 1.0 has a wheel and an sdist, a 2.0 only a wheel; b
// has both; c only an sdist.
func noBinarySource() *fileSource {
	return &fileSource{files: map[string][]fakeFile{
		"a": {
			{"a-1.0-py3-none-any.whl", meta("2.2", "a", "1.0", "Requires-Dist: b")},
			{"a-1.0.tar.gz", meta("2.2", "a", "1.0", "Requires-Dist: b")},
			{"a-2.0-py3-none-any.whl", meta("2.2", "a", "2.0", "Requires-Dist: b")},
		},
		"b": {
			{"b-1.0-py3-none-any.whl", meta("2.2", "b", "1.0")},
			{"b-1.0.tar.gz", meta("2.2", "b", "1.0")},
		},
	}}
}

func TestNoBinary(t *testing.T) {
	noA := func(name string) bool { return name == "a" }
	from := func(string) string { return "requirements.txt:1" }
	for _, universal := range []bool{false, true} {
		opts := Options{Target: testTarget(t), NoBinary: noA, NoBinaryFrom: from}
		if universal {
			opts.Scope = universalScope(t)
		}
		t.Run(fmt.Sprintf("universal=%v", universal), func(t *testing.T) {
			res, err := Resolve(context.Background(), noBinarySource(), mustReqs(t, "a"), opts)
			if err != nil {
				t.Fatal(err)
			}
			a, b := findPackage(res, "a"), findPackage(res, "b")
			if a == nil || b == nil {
				t.Fatalf("resolution %v lacks a or b", locked(res))
			}
			if a.Version.String() != "1.0" || !a.Sdist || !slices.Equal(fileNames(a), []string{"a-1.0.tar.gz"}) {
				t.Errorf("a = %s sdist=%v files %v, want 1.0 served by its sdist, files [a-1.0.tar.gz]", a.Version, a.Sdist, fileNames(a))
			}
			// --no-binary a says nothing of b: its wheel serves, every file is kept
			if b.Sdist || !slices.Equal(fileNames(b), []string{"b-1.0-py3-none-any.whl", "b-1.0.tar.gz"}) {
				t.Errorf("b sdist=%v files %v, want its wheel to serve and both files kept", b.Sdist, fileNames(b))
			}

			_, err = Resolve(context.Background(), noBinarySource(), mustReqs(t, "a>=2"), opts)
			var ns *NoSolutionError
			if !errors.As(err, &ns) {
				t.Fatalf("Resolve(a>=2) = %v, want a *NoSolutionError", err)
			}
			if want := "a >=2 which has only wheels, and --no-binary (from requirements.txt:1) forbids them"; !strings.Contains(ns.Error(), want) {
				t.Errorf("report:\n%s\nwant it to hold %q", ns.Error(), want)
			}
		})
	}
}

// TestNoBinaryAllowsSdist: naming a project in --no-binary allows its
// sdist even where the policy allows wheels only.
func TestNoBinaryAllowsSdist(t *testing.T) {
	wheelsOnly := func(string) bool { return false }
	src := noBinarySource()
	_, err := Resolve(context.Background(), src, mustReqs(t, "a==1.0"), Options{Target: testTarget(t), AllowSdist: wheelsOnly, NoBinary: func(n string) bool { return n == "a" }})
	if err != nil {
		t.Fatalf("--no-binary a with allow-sdist off: %v", err)
	}
}

// dynamicSource: a has sdists only, 2.0 and 1.0, Metadata-Version 2.1,
// whose PKG-INFO says nothing of what they need; built, 2.0 needs
// missing (on no index), 1.0 needs b, and under the extra x, c.
func dynamicSource() *fileSource {
	return &fileSource{files: map[string][]fakeFile{
		"a": {
			{"a-1.0.tar.gz", meta("2.1", "a", "1.0")},
			{"a-2.0.tar.gz", meta("2.1", "a", "2.0")},
		},
		"b": {{"b-1.0-py3-none-any.whl", meta("2.2", "b", "1.0")}},
		"c": {{"c-1.0-py3-none-any.whl", meta("2.2", "c", "1.0")}},
	}}
}

// builder is an Options.SdistMetadata that counts its calls per file.
type builder struct {
	mu    sync.Mutex
	calls map[string]int
	md    map[string]string // file name -> built metadata
	err   error
}

func (b *builder) build(ctx context.Context, p *index.Project, f index.File) (*metadata.Metadata, error) {
	b.mu.Lock()
	b.calls[f.Filename]++
	b.mu.Unlock()
	if b.err != nil {
		return nil, b.err
	}
	return metadata.Parse(f.Filename+" built metadata", []byte(b.md[f.Filename]))
}

func newBuilder() *builder {
	return &builder{calls: map[string]int{}, md: map[string]string{
		"a-2.0.tar.gz": meta("2.1", "a", "2.0", "Requires-Dist: missing"),
		"a-1.0.tar.gz": meta("2.1", "a", "1.0", "Provides-Extra: x", "Requires-Dist: b", `Requires-Dist: c ; extra == "x"`),
	}}
}

func TestSdistMetadata(t *testing.T) {
	allow := func(string) bool { return true }
	for _, universal := range []bool{false, true} {
		t.Run(fmt.Sprintf("universal=%v", universal), func(t *testing.T) {
			opts := Options{Target: testTarget(t), AllowSdist: allow}
			if universal {
				opts.Scope = universalScope(t)
			}
			// without a builder, such sdists are skipped with a reason
			_, err := Resolve(context.Background(), dynamicSource(), mustReqs(t, "a[x]"), opts)
			var ns *NoSolutionError
			if !errors.As(err, &ns) || !strings.Contains(ns.Error(), "older than PEP 643's 2.2") {
				t.Fatalf("without SdistMetadata: %v, want a report saying the sdist's metadata is older than PEP 643", err)
			}

			b := newBuilder()
			opts.SdistMetadata = b.build
			res, err := Resolve(context.Background(), dynamicSource(), mustReqs(t, "a[x]"), opts)
			if err != nil {
				t.Fatal(err)
			}
			got := locked(res)
			if want := []string{"a==1.0", "b==1.0", "c==1.0"}; !slices.Equal(got, want) {
				t.Fatalf("resolution = %v, want %v", got, want)
			}
			a := findPackage(res, "a")
			if !a.Sdist || len(a.Metadata.RequiresDist) != 2 || !slices.Equal(a.Dependencies, []string{"b", "c"}) {
				t.Errorf("a: sdist=%v, metadata requires %v, dependencies %v; want the built metadata (b, c under x)", a.Sdist, a.Metadata.RequiresDist, a.Dependencies)
			}
			// 2.0 built once and refused (missing is on no index); 1.0 built
			// once though a and a[x] both need its dependencies
			if want := map[string]int{"a-2.0.tar.gz": 1, "a-1.0.tar.gz": 1}; fmt.Sprint(b.calls) != fmt.Sprint(want) {
				t.Errorf("SdistMetadata calls = %v, want %v", b.calls, want)
			}
		})
	}
}

func TestSdistMetadataError(t *testing.T) {
	errBackend := errors.New("backend failed")
	b := newBuilder()
	b.err = errBackend
	_, err := Resolve(context.Background(), dynamicSource(), mustReqs(t, "a"), Options{Target: testTarget(t), AllowSdist: func(string) bool { return true }, SdistMetadata: b.build})
	var se *SdistMetadataError
	if !errors.As(err, &se) || !errors.Is(err, errBackend) {
		t.Fatalf("Resolve = %v, want a *SdistMetadataError wrapping the builder's error", err)
	}
	if want := "a 2.0: building the metadata of a-2.0.tar.gz: backend failed"; err.Error() != want {
		t.Errorf("error = %q, want %q", err.Error(), want)
	}
	// the error ends the resolution: the older version is not tried
	if b.calls["a-1.0.tar.gz"] != 0 {
		t.Errorf("SdistMetadata was called for a-1.0.tar.gz after a-2.0.tar.gz failed")
	}
}

func TestSdistMetadataNamesOtherProject(t *testing.T) {
	b := newBuilder()
	b.md["a-2.0.tar.gz"] = meta("2.1", "other", "2.0")
	_, err := Resolve(context.Background(), dynamicSource(), mustReqs(t, "a"), Options{Target: testTarget(t), AllowSdist: func(string) bool { return true }, SdistMetadata: b.build})
	var se *SdistMetadataError
	if !errors.As(err, &se) || !strings.Contains(err.Error(), "the built metadata names other 2.0") {
		t.Fatalf("Resolve = %v, want a *SdistMetadataError saying the built metadata names another project", err)
	}
}

// localSource: the user's project "app" needs lib, and win32-only extra;
// the index also serves an "app" (a confusion attempt) that must never be
// asked for.
func localSource(t *testing.T) (*fileSource, *metadata.Metadata) {
	md := mustMeta(t, meta("2.1", "App", "0.1.0", "Requires-Dist: lib>=1", "Requires-Dist: winonly ; sys_platform == 'win32'"))
	return &fileSource{
		local: map[string]*metadata.Metadata{"app": md},
		files: map[string][]fakeFile{
			"app":     {{"app-99.0-py3-none-any.whl", meta("2.2", "app", "99.0")}},
			"lib":     {{"lib-1.0-py3-none-any.whl", meta("2.2", "lib", "1.0")}, {"lib-2.0-py3-none-any.whl", meta("2.2", "lib", "2.0")}},
			"winonly": {{"winonly-1.0-py3-none-any.whl", meta("2.2", "winonly", "1.0")}},
		},
	}, md
}

func TestLocal(t *testing.T) {
	for _, universal := range []bool{false, true} {
		t.Run(fmt.Sprintf("universal=%v", universal), func(t *testing.T) {
			src, md := localSource(t)
			opts := Options{Target: testTarget(t)}
			if universal {
				opts.Scope = universalScope(t)
				// a local project is built where it is installed: it needs no wheel there
				opts.Scope.Required = []pep508.MarkerSet{mustMarker(t, "sys_platform == 'linux'")}
			}
			res, err := Resolve(context.Background(), src, mustReqs(t, "app"), opts)
			if err != nil {
				t.Fatal(err)
			}
			want := []string{"app==0.1.0", "lib==2.0"}
			if universal {
				want = append(want, "winonly==1.0 ; "+opts.Scope.Markers.And(mustMarker(t, "sys_platform == 'win32'")).String())
			}
			if got := locked(res); !slices.Equal(got, want) {
				t.Errorf("resolution = %v, want %v", got, want)
			}
			app := findPackage(res, "app")
			if app.Project.Index != LocalIndex || app.Metadata != md || len(app.Files) != 0 || app.Sdist || !slices.Equal(app.RequiredBy, []string{rootName}) {
				t.Errorf("app = index %q, metadata given %v, files %v, sdist %v, required by %v; want LocalIndex, the given metadata, no files, not an sdist, required by the root",
					app.Project.Index, app.Metadata == md, app.Files, app.Sdist, app.RequiredBy)
			}
			if src.asked("app") {
				t.Errorf("the index was asked for app's page; a local project must never be looked up")
			}
		})
	}
}

func TestLocalRequiresPython(t *testing.T) {
	src, _ := localSource(t)
	src.local["app"] = mustMeta(t, meta("2.1", "app", "0.1.0", "Requires-Python: >=3.13"))
	_, err := Resolve(context.Background(), src, mustReqs(t, "app"), Options{Target: testTarget(t)})
	var ns *NoSolutionError
	if !errors.As(err, &ns) || !strings.Contains(ns.Error(), "requires Python >=3.13 (the target is 3.12)") {
		t.Fatalf("Resolve = %v, want a report that app requires Python >=3.13", err)
	}
}

func TestLocalWrongName(t *testing.T) {
	src, _ := localSource(t)
	src.local["app"] = mustMeta(t, meta("2.1", "other", "0.1.0"))
	_, err := Resolve(context.Background(), src, mustReqs(t, "app"), Options{Target: testTarget(t)})
	if err == nil || !strings.Contains(err.Error(), "names itself other") {
		t.Fatalf("Resolve = %v, want an error saying the local project's metadata names another project", err)
	}
}

// TestRoutedSourceLocal: a local project is answered without routing or a
// request (the source has no client at all here).
func TestRoutedSourceLocal(t *testing.T) {
	s := NewRoutedSource(&config.Config{}, nil, nil)
	md := mustMeta(t, meta("2.1", "My_App", "0.1.0"))
	s.AddLocal("My_App", md)
	if got := s.Local("my-app"); got != md {
		t.Fatalf("Local(my-app) = %v, want the metadata given to AddLocal", got)
	}
	p, err := s.Project(context.Background(), "my-app")
	if err != nil || p.Index != LocalIndex || len(p.Files) != 0 || !slices.Equal(p.Versions, []string{"0.1.0"}) {
		t.Fatalf("Project(my-app) = %+v, %v; want a page of LocalIndex with version 0.1.0 and no files", p, err)
	}
	if s.Local("other") != nil {
		t.Errorf("Local(other) is not nil")
	}
}

func TestWarmLocal(t *testing.T) {
	src, _ := localSource(t)
	Warm(context.Background(), src, mustReqs(t, "app"), 0)
	if src.asked("app") || !src.asked("lib") {
		t.Errorf("Warm asked for %v; want lib (app's dependency) and never app", src.pages)
	}
}

// TestOnlyBinaryReason: a version left with only an sdist that
// --only-binary refuses says so, not that the policy does.
func TestOnlyBinaryReason(t *testing.T) {
	src := &fileSource{files: map[string][]fakeFile{
		"a": {{"a-1.0.tar.gz", meta("2.2", "a", "1.0")}},
	}}
	for _, universal := range []bool{false, true} {
		opts := Options{Target: testTarget(t), AllowSdist: func(string) bool { return false }}
		if universal {
			opts.Scope = universalScope(t)
		}
		_, err := Resolve(context.Background(), src, mustReqs(t, "a"), opts)
		var ns *NoSolutionError
		if !errors.As(err, &ns) || !strings.Contains(ns.Error(), "allow-sdist in [policy]") {
			t.Errorf("universal=%v, policy: %v, want a report naming allow-sdist", universal, err)
		}
		opts.OnlyBinaryFrom = func(string) string { return "PIP_ONLY_BINARY" }
		_, err = Resolve(context.Background(), src, mustReqs(t, "a"), opts)
		if !errors.As(err, &ns) || !strings.Contains(ns.Error(), "has only an sdist, and --only-binary (from PIP_ONLY_BINARY) forbids its sdist") || strings.Contains(ns.Error(), "allow-sdist") {
			t.Errorf("universal=%v, --only-binary: %v, want a report naming --only-binary and its source, not allow-sdist", universal, err)
		}
		opts.OnlyBinaryFrom = nil
		opts.SdistRefused = func(string) string { return "build dependencies are installed from wheels only" }
		_, err = Resolve(context.Background(), src, mustReqs(t, "a"), opts)
		if !errors.As(err, &ns) || !strings.Contains(ns.Error(), "has only an sdist, and build dependencies are installed from wheels only") || strings.Contains(ns.Error(), "allow-sdist") {
			t.Errorf("universal=%v, SdistRefused: %v, want its reason, not allow-sdist", universal, err)
		}
	}
}

// TestLocalExtrasAndLocalDependency: a local project asked with an extra
// pulls that extra's dependencies, and a local project needing another
// local project gets that one's tree, not an index's release.
func TestLocalExtrasAndLocalDependency(t *testing.T) {
	src, _ := localSource(t)
	src.local["app"] = mustMeta(t, meta("2.1", "app", "0.1.0", "Provides-Extra: dev", "Requires-Dist: mylib", `Requires-Dist: winonly ; extra == "dev"`))
	src.local["mylib"] = mustMeta(t, meta("2.1", "mylib", "0.2.0", "Requires-Dist: lib<2"))
	src.files["mylib"] = []fakeFile{{"mylib-9.0-py3-none-any.whl", meta("2.2", "mylib", "9.0")}}
	for _, universal := range []bool{false, true} {
		opts := Options{Target: testTarget(t)}
		if universal {
			opts.Scope = universalScope(t)
		}
		res, err := Resolve(context.Background(), src, mustReqs(t, "app[dev]"), opts)
		if err != nil {
			t.Fatalf("universal=%v: %v", universal, err)
		}
		if got, want := locked(res), []string{"app==0.1.0", "lib==1.0", "mylib==0.2.0", "winonly==1.0"}; !slices.Equal(got, want) {
			t.Errorf("universal=%v: resolution = %v, want %v", universal, got, want)
		}
		if p := findPackage(res, "mylib"); p == nil || p.Project.Index != LocalIndex || !slices.Equal(p.RequiredBy, []string{"app"}) {
			t.Errorf("universal=%v: mylib = %+v, want the local tree, required by app", universal, p)
		}
		if src.asked("mylib") || src.asked("app") {
			t.Errorf("universal=%v: the index was asked for a local project's page: %v", universal, src.pages)
		}
	}
}

// TestNoBinaryRequiredEnvironment: a required environment needs a wheel,
// which --no-binary leaves out: the report says both.
func TestNoBinaryRequiredEnvironment(t *testing.T) {
	scope := universalScope(t)
	scope.Required = []pep508.MarkerSet{mustMarker(t, "sys_platform == 'linux'")}
	_, err := Resolve(context.Background(), noBinarySource(), mustReqs(t, "a==1.0"), Options{Scope: scope,
		NoBinary: func(n string) bool { return n == "a" }, NoBinaryFrom: func(string) string { return "PIP_NO_BINARY" }})
	var ns *NoSolutionError
	if !errors.As(err, &ns) || !strings.Contains(ns.Error(), "required-environments in [resolution]), as --no-binary (from PIP_NO_BINARY) leaves its wheels out") {
		t.Fatalf("Resolve = %v, want a report naming the required environment and --no-binary", err)
	}
}
