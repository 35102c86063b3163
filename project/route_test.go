package project

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/safepip/safepip/config"
	"github.com/safepip/safepip/index"
	"github.com/safepip/safepip/internal/testindex"
	"github.com/safepip/safepip/resolver"
)

// torchtriton serves the December 2022 attack on two loopback indexes: the
// private one has acme-triton 1.0, the public one acme-triton 9.9.9.
func torchtriton(t *testing.T) (private, public *testindex.Server) {
	priv := testindex.New(t)
	priv.Add(testindex.Dist{Name: "acme-triton", Version: "1.0"})
	priv.Add(testindex.Dist{Name: "acme-triton", Version: "1.0", Sdist: true})
	pub := testindex.New(t)
	pub.Add(testindex.Dist{Name: "acme-triton", Version: "9.9.9"})
	pub.Add(testindex.Dist{Name: "acme-auth", Version: "9.9.9"})
	pub.Add(testindex.Dist{Name: "requests", Version: "2.32.3"})
	pub.Add(testindex.Dist{Name: "requests", Version: "2.31.0"})
	return priv.Serve(t), pub.Serve(t)
}

func newRouter(t *testing.T, file *config.File, o config.Options) *config.Router {
	t.Helper()
	o.File = file
	cfg, err := config.New(o)
	if err != nil {
		t.Fatal(err)
	}
	client, err := index.NewClient(index.Options{Retries: -1, Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	// the lookup a real lock routes through
	return config.NewRouter(cfg, resolver.NewRoutedSource(cfg, client, nil))
}

func writeConfig(t *testing.T, doc string) *config.File {
	t.Helper()
	path := filepath.Join(t.TempDir(), "safepip.toml")
	if err := os.WriteFile(path, []byte(doc), 0o666); err != nil {
		t.Fatal(err)
	}
	f, err := config.LoadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestRouteTorchtritonExtraIndexURL(t *testing.T) {
	private, public := torchtriton(t)
	r := newRouter(t, nil, config.Options{
		Flags:        config.Flags{IndexURL: public.URL},
		Requirements: []config.IndexOption{{Name: "--extra-index-url", Value: private.URL, Source: "requirements.txt:1"}},
	})
	_, err := r.Route(context.Background(), "Acme_Triton", "")
	var amb *config.AmbiguousError
	if !errors.As(err, &amb) {
		t.Fatalf("Route = %v, want *config.AmbiguousError", err)
	}
	msg := err.Error()
	for _, want := range []string{
		`"acme-triton" is served by 2 indexes`,
		`(` + public.URL + `) from command line (--index-url) offers 9.9.9`,
		`(` + private.URL + `) from requirements.txt:1 (--extra-index-url) offers 1.0`,
		"add to safepip.toml:\n  [[index]]\n",
		`  url = "` + private.URL + `"` + "\n" + `  packages = ["acme-triton"]`,
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("error:\n%s\nwant it to contain %q", msg, want)
		}
	}
	if !public.Asked("acme-triton") || !private.Asked("acme-triton") {
		t.Errorf("both indexes must be asked to find the ambiguity")
	}

	// A project only the public index has is routed there.
	rt, err := r.Route(context.Background(), "requests", "")
	if err != nil || !slices.Equal(rt.Versions, []string{"2.31.0", "2.32.3"}) {
		t.Errorf("Route(requests) = %+v, %v", rt, err)
	}
}

func TestRouteTorchtritonPinned(t *testing.T) {
	private, public := torchtriton(t)
	file := writeConfig(t, `[[index]]
name = "internal"
url = "${PRIVATE}"
packages = ["acme-*"]
`)
	r := newRouter(t, file, config.Options{
		Flags:        config.Flags{IndexURL: public.URL},
		Requirements: []config.IndexOption{{Name: "--extra-index-url", Value: private.URL, Source: "requirements.txt:1"}},
		Getenv: func(k string) (string, bool) {
			if k == "PRIVATE" {
				return private.URL, true
			}
			return "", false
		},
	})
	rt, err := r.Route(context.Background(), "acme-triton", "")
	if err != nil {
		t.Fatal(err)
	}
	if rt.Index.Name != "internal" || !slices.Equal(rt.Versions, []string{"1.0"}) {
		t.Errorf("Route = %v %q (%s), want internal [1.0]", rt.Index, rt.Versions, rt.Reason)
	}

	// Pinned and missing on the private index (404) while the public one
	// has it: an error, and the public index never hears the name.
	_, err = r.Route(context.Background(), "acme-auth", "")
	var nf *config.NotFoundError
	if !errors.As(err, &nf) {
		t.Errorf("Route(acme-auth) = %v, want *config.NotFoundError", err)
	}

	// Pinned and the private index fails (503): an error naming it.
	private.Fail("/simple/acme-fail/", 503, -1)
	_, err = r.Route(context.Background(), "acme-fail", "")
	var ie *config.IndexError
	var ne *index.NetworkError
	if !errors.As(err, &ie) || !errors.As(err, &ne) || ne.Status != 503 {
		t.Errorf("Route(acme-fail) = %v, want *config.IndexError wrapping a 503 *index.NetworkError", err)
	}

	for _, req := range public.Requests() {
		if strings.Contains(req.Path, "acme") {
			t.Errorf("the public index was asked %s; pinned names must never reach it", req.Path)
		}
	}
	if public.Asked("acme-triton") || public.Asked("acme-auth") || public.Asked("acme-fail") {
		t.Errorf("public index asked for a pinned name: %q", public.Paths())
	}
}

// TestRouteFindLinks: a --find-links directory is an index without
// packages like any other, so a wheel there shadowing a public project is
// an ambiguity, and one only there is routed there.
func TestRouteFindLinks(t *testing.T) {
	local := testindex.New(t)
	local.Add(testindex.Dist{Name: "acme-triton", Version: "1.0"})
	local.Add(testindex.Dist{Name: "acme-only-here", Version: "0.3"})
	dir := local.WriteFlat(t, t.TempDir())
	_, public := torchtriton(t)
	r := newRouter(t, nil, config.Options{
		Flags:        config.Flags{IndexURL: public.URL},
		Requirements: []config.IndexOption{{Name: "--find-links", Value: filepath.Base(dir), Source: "requirements.txt:2", Dir: filepath.Dir(dir)}},
	})
	_, err := r.Route(context.Background(), "acme-triton", "")
	var amb *config.AmbiguousError
	if !errors.As(err, &amb) || !strings.Contains(err.Error(), `  format = "flat"`) || !strings.Contains(err.Error(), "offers 1.0") {
		t.Errorf("Route(acme-triton) = %v, want an ambiguity whose fix declares a flat index", err)
	}
	rt, err := r.Route(context.Background(), "acme-only-here", "")
	if err != nil || rt.Index.Kind != config.Flat || !slices.Equal(rt.Versions, []string{"0.3"}) {
		t.Errorf("Route(acme-only-here) = %+v, %v", rt, err)
	}
}

// TestRouteLockedThenPublicUpload: the lock records the private index; the
// name then appears on the public index. The next route stops.
func TestRouteLockedThenPublicUpload(t *testing.T) {
	priv := testindex.New(t)
	priv.Add(testindex.Dist{Name: "acme-triton", Version: "1.0"})
	private := priv.Serve(t)
	pub := testindex.New(t)
	pub.Add(testindex.Dist{Name: "requests", Version: "2.32.3"})
	public := pub.Serve(t)
	opts := config.Options{
		Flags:        config.Flags{IndexURL: public.URL},
		Requirements: []config.IndexOption{{Name: "--extra-index-url", Value: private.URL, Source: "requirements.txt:1"}},
	}
	rt, err := newRouter(t, nil, opts).Route(context.Background(), "acme-triton", "")
	if err != nil {
		t.Fatal(err)
	}
	locked := rt.Index.Name

	pub.Add(testindex.Dist{Name: "acme-triton", Version: "9.9.9"}) // the attacker's upload
	_, err = newRouter(t, nil, opts).Route(context.Background(), "acme-triton", locked)
	var amb *config.AmbiguousError
	if !errors.As(err, &amb) || amb.Locked != locked || !strings.Contains(err.Error(), "is locked to index") || !strings.Contains(err.Error(), "offers 9.9.9") {
		t.Errorf("Route after the upload = %v, want an ambiguity naming the lock and 9.9.9", err)
	}
}
