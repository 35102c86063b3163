package config

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeLookup serves projects per index name and records every question.
type fakeLookup struct {
	have map[string]map[string][]string // index -> project -> versions
	fail map[string]error               // index -> failure
	mu   sync.Mutex
	asks []string // "index/project"
}

func (f *fakeLookup) Versions(ctx context.Context, idx Index, project string) ([]string, error) {
	f.mu.Lock()
	f.asks = append(f.asks, idx.Name+"/"+project)
	f.mu.Unlock()
	if err := f.fail[idx.Name]; err != nil {
		return nil, err
	}
	vs, ok := f.have[idx.Name][project]
	if !ok {
		return nil, fmt.Errorf("GET %s%s/: 404: %w", idx.URL, project, ErrNotFound)
	}
	return vs, nil
}

func (f *fakeLookup) asked() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Sorted(slices.Values(f.asks))
}

var errBoom = errors.New("503 Service Unavailable")

func TestRoute(t *testing.T) {
	const pinnedCfg = tomlPyPIInternal + `
[[index]]
name = "glob"
url = "https://glob.example/simple"
packages = ["lib-?", "Tools_*_Core"]
`
	extra := Flags{ExtraIndexURLs: []string{"https://extra.example/simple"}}
	tests := []struct {
		name    string
		doc     string
		flags   Flags
		have    map[string]map[string][]string
		fail    map[string]error
		project string
		locked  string
		want    string   // index name routed to; "" for an error
		wantErr any      // pointer to the error type wanted
		errHas  []string // substrings of the error
		asked   []string // exactly the questions asked, sorted
	}{
		{name: "pinned", doc: pinnedCfg,
			have:    map[string]map[string][]string{"internal": {"acme-auth": {"1.4.0"}}, "pypi": {"acme-auth": {"9.9.9"}}},
			project: "Acme_Auth", want: "internal", asked: []string{"internal/acme-auth"}},
		{name: "pinned 404: the public index has it but is never asked", doc: pinnedCfg,
			have:    map[string]map[string][]string{"pypi": {"acme-auth": {"9.9.9"}}},
			project: "acme-auth", wantErr: new(*NotFoundError),
			errHas: []string{`"acme-auth" is not on index "internal" (https://pypi.internal.example/simple)`, `pinned there by packages "acme-*"`, "does not look for it elsewhere"},
			asked:  []string{"internal/acme-auth"}},
		{name: "pinned 503: no fall-back", doc: pinnedCfg,
			have:    map[string]map[string][]string{"pypi": {"acme-auth": {"9.9.9"}}},
			fail:    map[string]error{"internal": errBoom},
			project: "acme-auth", wantErr: new(*IndexError),
			errHas: []string{`asking index "internal" (https://pypi.internal.example/simple) (from proj/safepip.toml:6)`, `for "acme-auth": 503`, "does not fall back"},
			asked:  []string{"internal/acme-auth"}},
		{name: "glob ?", doc: pinnedCfg,
			have:    map[string]map[string][]string{"glob": {"lib-x": {"1"}}},
			project: "LIB.X", want: "glob", asked: []string{"glob/lib-x"}},
		{name: "glob ? matches one character only", doc: pinnedCfg,
			have:    map[string]map[string][]string{"pypi": {"lib-xy": {"1"}}},
			project: "lib-xy", want: "pypi", asked: []string{"pypi/lib-xy"}},
		{name: "glob * in the middle", doc: pinnedCfg,
			have:    map[string]map[string][]string{"glob": {"tools-a-b-core": {"1"}}},
			project: "tools.a.b.core", want: "glob", asked: []string{"glob/tools-a-b-core"}},
		{name: "default only: pinned indexes are not asked", doc: pinnedCfg,
			have:    map[string]map[string][]string{"pypi": {"requests": {"2.32.3"}}, "internal": {"requests": {"0.1"}}},
			project: "requests", want: "pypi", asked: []string{"pypi/requests"}},
		{name: "default 404", doc: pinnedCfg,
			project: "nope", wantErr: new(*NotFoundError), errHas: []string{`"nope" is not on index "pypi" (https://pypi.org/simple) (the default index)`},
			asked: []string{"pypi/nope"}},
		{name: "unpinned: found on one", flags: extra,
			have:    map[string]map[string][]string{"extra.example": {"private-thing": {"1.0"}}},
			project: "private-thing", want: "extra.example",
			asked: []string{"extra.example/private-thing", "pypi/private-thing"}},
		{name: "unpinned: found on the default only", flags: extra,
			have:    map[string]map[string][]string{"pypi": {"requests": {"2.32.3"}}},
			project: "requests", want: "pypi",
			asked: []string{"extra.example/requests", "pypi/requests"}},
		{name: "unpinned: ambiguous", flags: extra,
			have:    map[string]map[string][]string{"pypi": {"six": {"1.16.0", "1.17.0"}}, "extra.example": {"six": {"1.15.0"}}},
			project: "six", wantErr: new(*AmbiguousError),
			errHas: []string{`"six" is served by 2 indexes`, `"pypi" (https://pypi.org/simple) from built-in default offers 1.16.0, 1.17.0`, `"extra.example" (https://extra.example/simple) from command line (--extra-index-url) offers 1.15.0`},
			asked:  []string{"extra.example/six", "pypi/six"}},
		{name: "unpinned: on none", flags: extra,
			project: "ghost", wantErr: new(*NotFoundError),
			errHas: []string{`"ghost" is on none of the indexes asked: "pypi" (https://pypi.org/simple), "extra.example" (https://extra.example/simple)`},
			asked:  []string{"extra.example/ghost", "pypi/ghost"}},
		{name: "unpinned: a failing index is fatal even if another has it", flags: extra,
			have:    map[string]map[string][]string{"pypi": {"requests": {"2.32.3"}}},
			fail:    map[string]error{"extra.example": errBoom},
			project: "requests", wantErr: new(*IndexError), errHas: []string{`asking index "extra.example"`}},
		{name: "locked, then a new public upload: ambiguity", flags: extra,
			have:    map[string]map[string][]string{"extra.example": {"acme-triton": {"1.0"}}, "pypi": {"acme-triton": {"9.9.9"}}},
			project: "acme-triton", locked: "extra.example", wantErr: new(*AmbiguousError),
			errHas: []string{`"acme-triton" is locked to index "extra.example" but is now also served by another index`, "offers 9.9.9", "offers 1.0"},
			asked:  []string{"extra.example/acme-triton", "pypi/acme-triton"}},
		{name: "locked and alone", flags: extra,
			have:    map[string]map[string][]string{"extra.example": {"acme-triton": {"1.0"}}},
			project: "acme-triton", locked: "extra.example", want: "extra.example"},
		{name: "locked index lost it: no switch", flags: extra,
			have:    map[string]map[string][]string{"pypi": {"acme-triton": {"9.9.9"}}},
			project: "acme-triton", locked: "extra.example", wantErr: new(*NotFoundError),
			errHas: []string{`"acme-triton" is not on index "extra.example"`, `the lock records "extra.example"; "pypi" (https://pypi.org/simple) now serves it instead`}},
		{name: "locked to an index no longer configured", flags: extra,
			have:    map[string]map[string][]string{"pypi": {"acme-triton": {"9.9.9"}}},
			project: "acme-triton", locked: "gone", wantErr: new(*LockedIndexError),
			errHas: []string{`"acme-triton" is locked to index "gone", which is not configured`}, asked: []string{}},
		{name: "locked to a pinned index that no longer pins it", doc: pinnedCfg,
			have:    map[string]map[string][]string{"pypi": {"thing": {"9.9.9"}}},
			project: "thing", locked: "internal", wantErr: new(*LockedIndexError),
			errHas: []string{`"thing" is locked to index "internal" (https://pypi.internal.example/simple), whose packages no longer include it`}, asked: []string{}},
		{name: "locked to the default, no extras",
			have:    map[string]map[string][]string{"pypi": {"requests": {"2.32.3"}}},
			project: "requests", locked: "pypi", want: "pypi", asked: []string{"pypi/requests"}},
		{name: "a pin wins over the lock", doc: pinnedCfg, flags: extra,
			have:    map[string]map[string][]string{"internal": {"acme-auth": {"1.0"}}},
			project: "acme-auth", locked: "extra.example", want: "internal", asked: []string{"internal/acme-auth"}},
		{name: "invalid name", project: "not a name", wantErr: new(error), errHas: []string{`"not a name" is not a valid project name`}, asked: []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var f *File
			if tt.doc != "" {
				f = mustParse(t, tt.doc)
			}
			c, err := New(Options{File: f, Flags: tt.flags})
			if err != nil {
				t.Fatal(err)
			}
			lk := &fakeLookup{have: tt.have, fail: tt.fail}
			r := NewRouter(c, lk)
			rt, err := r.Route(context.Background(), tt.project, tt.locked)
			if tt.want != "" {
				if err != nil {
					t.Fatalf("Route(%q) error: %v", tt.project, err)
				}
				if rt.Index.Name != tt.want {
					t.Errorf("Route(%q) = %q (%s), want %q", tt.project, rt.Index.Name, rt.Reason, tt.want)
				}
				if rt.Reason == "" || rt.Versions == nil {
					t.Errorf("Route(%q) = %+v: want a reason and versions", tt.project, rt)
				}
			} else {
				if err == nil {
					t.Fatalf("Route(%q) = %v (%s), want an error", tt.project, rt.Index, rt.Reason)
				}
				switch w := tt.wantErr.(type) {
				case **NotFoundError:
					if !errors.As(err, w) {
						t.Errorf("error %T (%v) is not *NotFoundError", err, err)
					}
				case **IndexError:
					if !errors.As(err, w) || !errors.Is(err, errBoom) {
						t.Errorf("error %T (%v) is not an *IndexError wrapping the index's error", err, err)
					}
				case **AmbiguousError:
					if !errors.As(err, w) {
						t.Errorf("error %T (%v) is not *AmbiguousError", err, err)
					}
				case **LockedIndexError:
					if !errors.As(err, w) {
						t.Errorf("error %T (%v) is not *LockedIndexError", err, err)
					}
				}
				for _, s := range tt.errHas {
					if !strings.Contains(err.Error(), s) {
						t.Errorf("error:\n%v\nwant it to contain %q", err, s)
					}
				}
			}
			if tt.asked != nil {
				if got := lk.asked(); !slices.Equal(got, tt.asked) && !(len(got) == 0 && len(tt.asked) == 0) {
					t.Errorf("asked %q, want exactly %q", got, tt.asked)
				}
			}
		})
	}
}

// TestRouteTorchtriton is the December 2022 attack: a private project on an
// --extra-index-url index, the same name uploaded to the public index with a
// higher version.
func TestRouteTorchtriton(t *testing.T) {
	have := map[string]map[string][]string{
		"pypi.internal.example": {"acme-triton": {"1.0"}},
		"pypi":                  {"acme-triton": {"9.9.9"}},
	}
	t.Run("extra-index-url: ambiguous, with the fix", func(t *testing.T) {
		c, err := New(Options{
			Requirements: []IndexOption{{Name: "--extra-index-url", Value: "https://${CREDS}@pypi.internal.example/simple", Source: "requirements.txt:1"}},
			Getenv:       env(map[string]string{"CREDS": "deploy:s3cr3t-t0ken"}),
		})
		if err != nil {
			t.Fatal(err)
		}
		lk := &fakeLookup{have: have}
		_, err = NewRouter(c, lk).Route(context.Background(), "acme-triton", "")
		var amb *AmbiguousError
		if !errors.As(err, &amb) {
			t.Fatalf("Route = %v, want *AmbiguousError", err)
		}
		want := `"acme-triton" is served by 2 indexes; safepip takes a project from one index only:
  "pypi" (https://pypi.org/simple) from built-in default offers 9.9.9
  "pypi.internal.example" (https://pypi.internal.example/simple) from requirements.txt:1 (--extra-index-url) offers 1.0
hint: to take "acme-triton" from "pypi.internal.example", declared at requirements.txt:1 (--extra-index-url), add to safepip.toml:
  [[index]]
  name = "pypi.internal.example"
  url = "https://pypi.internal.example/simple"
  packages = ["acme-triton"]
  # credentials: write them as ${VAR} in url, or in ~/.netrc
hint: to take "acme-triton" from the default index "pypi", give "pypi.internal.example" a packages list of the projects it serves, without "acme-triton"`
		if err.Error() != want {
			t.Errorf("error:\n%s\nwant:\n%s", err, want)
		}
		if strings.Contains(err.Error(), "s3cr3t") {
			t.Errorf("the credentials leaked into the error")
		}
	})
	t.Run("declared in safepip.toml without packages: the fix names its table", func(t *testing.T) {
		f := mustParse(t, "[[index]]\nname = \"internal\"\nurl = \"https://pypi.internal.example/simple\"\n")
		c, err := New(Options{File: f})
		if err != nil {
			t.Fatal(err)
		}
		lk := &fakeLookup{have: map[string]map[string][]string{"internal": have["pypi.internal.example"], "pypi": have["pypi"]}}
		_, err = NewRouter(c, lk).Route(context.Background(), "acme-triton", "")
		want := fmt.Sprintf(`hint: to take "acme-triton" from "internal", add this line to its [[index]] table at %s:1:
  packages = ["acme-triton"]`, f.Path)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error:\n%v\nwant it to contain:\n%s", err, want)
		}
	})
	t.Run("packages = [\"acme-*\"]: the public index is never asked", func(t *testing.T) {
		f := mustParse(t, "[[index]]\nname = \"internal\"\nurl = \"https://pypi.internal.example/simple\"\npackages = [\"acme-*\"]\n")
		c, err := New(Options{File: f, Requirements: []IndexOption{{Name: "--extra-index-url", Value: "https://pypi.internal.example/simple", Source: "requirements.txt:1"}}})
		if err != nil {
			t.Fatal(err)
		}
		lk := &fakeLookup{have: map[string]map[string][]string{"internal": have["pypi.internal.example"], "pypi": have["pypi"]}}
		rt, err := NewRouter(c, lk).Route(context.Background(), "acme-triton", "")
		if err != nil || rt.Index.Name != "internal" || !slices.Equal(rt.Versions, []string{"1.0"}) {
			t.Fatalf("Route = %+v, %v; want internal 1.0", rt, err)
		}
		if got := lk.asked(); !slices.Equal(got, []string{"internal/acme-triton"}) {
			t.Errorf("asked %q; the public index must never hear the private name", got)
		}
		if !strings.Contains(rt.Reason, `pinned by packages "acme-*" of index "internal"`) {
			t.Errorf("reason = %q", rt.Reason)
		}
	})
}

func TestRouteTwoPins(t *testing.T) {
	// The parser refuses overlapping pins; a Config built by hand still
	// cannot route a project to two indexes.
	c := &Config{Indexes: []Index{
		{Name: "pypi", URL: PyPI, Default: true},
		{Name: "a", URL: "https://a.example/simple", Packages: []string{"acme-*"}, Source: "x:1"},
		{Name: "b", URL: "https://b.example/simple", Packages: []string{"*-triton"}, Source: "x:5"},
	}}
	lk := &fakeLookup{}
	_, err := NewRouter(c, lk).Route(context.Background(), "acme-triton", "")
	var ce *Error
	if !errors.As(err, &ce) || !strings.Contains(err.Error(), `"acme-triton" is pinned to two indexes`) {
		t.Errorf("Route = %v, want a *config.Error naming both pins", err)
	}
	if len(lk.asked()) != 0 {
		t.Errorf("asked %q, want nothing", lk.asked())
	}
}

// TestRouteMemo checks that concurrent routes of one project ask each index
// once, and that the indexes of one project are asked in parallel.
func TestRouteMemo(t *testing.T) {
	c, err := New(Options{Flags: Flags{ExtraIndexURLs: []string{"https://extra.example/simple"}}})
	if err != nil {
		t.Fatal(err)
	}
	both := make(chan struct{})
	var once sync.Once
	var mu sync.Mutex
	arrived := 0
	lk := &barrierLookup{fakeLookup: fakeLookup{have: map[string]map[string][]string{"pypi": {"requests": {"2.32.3"}}}}, wait: func() error {
		mu.Lock()
		arrived++
		if arrived == 2 {
			once.Do(func() { close(both) })
		}
		mu.Unlock()
		select {
		case <-both:
			return nil
		case <-time.After(10 * time.Second):
			return errors.New("the two indexes were not asked in parallel")
		}
	}}
	r := NewRouter(c, lk)
	var wg sync.WaitGroup
	errs := make([]error, 20)
	for i := range errs {
		wg.Go(func() {
			rt, err := r.Route(context.Background(), "Requests", "")
			if err == nil && rt.Index.Name != "pypi" {
				err = fmt.Errorf("routed to %q", rt.Index.Name)
			}
			errs[i] = err
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if got := lk.asked(); !slices.Equal(got, []string{"extra.example/requests", "pypi/requests"}) {
		t.Errorf("asked %q, want each index once", got)
	}
	// With the lock hint the route is computed again, but no index is asked
	// again.
	if _, err := r.Route(context.Background(), "requests", "pypi"); err != nil {
		t.Fatal(err)
	}
	if n := len(lk.asked()); n != 2 {
		t.Errorf("asked %d times, want 2", n)
	}
}

type barrierLookup struct {
	fakeLookup
	wait func() error
}

func (b *barrierLookup) Versions(ctx context.Context, idx Index, project string) ([]string, error) {
	if err := b.wait(); err != nil {
		return nil, err
	}
	return b.fakeLookup.Versions(ctx, idx, project)
}

// BenchmarkRoute routes many projects through two unpinned indexes, the
// resolver's hot path with a memoizing router.
func BenchmarkRoute(b *testing.B) {
	c, err := New(Options{Flags: Flags{ExtraIndexURLs: []string{"https://extra.example/simple"}}})
	if err != nil {
		b.Fatal(err)
	}
	have := map[string]map[string][]string{"pypi": {}, "extra.example": {}}
	names := make([]string, 1000)
	for i := range names {
		names[i] = fmt.Sprintf("project-%d", i)
		have["pypi"][names[i]] = []string{"1.0"}
	}
	b.ReportAllocs()
	for b.Loop() {
		r := NewRouter(c, &fakeLookup{have: have})
		for _, n := range names {
			if _, err := r.Route(context.Background(), n, ""); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// TestRouteCallerCancelled: a caller that gives up mid-question (a
// prefetch cancelled once the resolution starts) gets its ctx.Err(), but
// neither a concurrent caller nor the memo does: they get the answer.
func TestRouteCallerCancelled(t *testing.T) {
	c, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	asked, release := make(chan struct{}), make(chan struct{})
	lk := &barrierLookup{
		fakeLookup: fakeLookup{have: map[string]map[string][]string{"pypi": {"requests": {"2.0"}}}},
		wait:       func() error { close(asked); <-release; return nil },
	}
	r := NewRouter(c, lk)
	gone, cancel := context.WithCancel(context.Background())
	first := make(chan error, 1)
	go func() {
		_, err := r.Route(gone, "requests", "")
		first <- err
	}()
	<-asked // the first caller's question is under way: it gives up mid-question
	second := make(chan error, 1)
	go func() {
		rt, err := r.Route(context.Background(), "requests", "")
		if err == nil && rt.Index.Name != "pypi" {
			err = fmt.Errorf("routed to %q", rt.Index.Name)
		}
		second <- err
	}()
	cancel()
	if err := <-first; !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled caller: %v, want context.Canceled", err)
	}
	close(release)
	if err := <-second; err != nil {
		t.Errorf("concurrent caller: %v", err)
	}
	if rt, err := r.Route(context.Background(), "requests", ""); err != nil || rt.Index.Name != "pypi" {
		t.Errorf("memo after a cancelled caller: %+v, %v", rt, err)
	}
	if n := len(lk.asked()); n != 1 {
		t.Errorf("asked %d times, want 1", n)
	}
}
