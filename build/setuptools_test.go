package build

import (
	"context"
	"errors"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/safepip/safepip/install"
)

// realSetuptools finds a setuptools wheel bundled with the interpreter's
// ensurepip (Python 3.11 and older bundle one) and a wheel of the "wheel"
// project, which setuptools before 70.1 asks for to build wheels.
func realSetuptools(t *testing.T) (setuptools, wheelDist install.LocalFile) {
	out, err := exec.Command(hostPython(t), "-I", "-c",
		"import ensurepip, os, sysconfig; print(os.path.join(os.path.dirname(ensurepip.__file__), '_bundled')); print(sysconfig.get_paths()['stdlib'])").Output()
	if err != nil {
		t.Fatalf("the interpreter has no ensurepip: %v", err)
	}
	dirs := strings.Split(strings.TrimSpace(string(out)), "\n")
	st, _ := filepath.Glob(filepath.Join(dirs[0], "setuptools-*.whl"))
	var wh []string
	for _, pattern := range []string{"/usr/share/python-wheels/wheel-*.whl", filepath.Join(dirs[1], "test", "wheeldata", "wheel-*.whl"), filepath.Join(dirs[1], "test", "wheel-*.whl")} {
		m, _ := filepath.Glob(pattern)
		wh = append(wh, m...)
	}
	if len(st) == 0 || len(wh) == 0 {
		t.Fatalf("no setuptools wheel in %s or no wheel-*.whl (Debian's python3-wheel-whl, which .ci/run installs): nothing to build a setuptools project with offline", dirs[0])
	}
	return distFile(t, st[0]), distFile(t, wh[0])
}

// TestBuildWithRealSetuptools builds a setup.py project (no pyproject.toml:
// PEP 518's defaults) with the setuptools wheel of the interpreter's own
// ensurepip.
func TestBuildWithRealSetuptools(t *testing.T) {
	t.Parallel()
	setuptools, wheelDist := realSetuptools(t)
	s, _ := testSandbox(t)
	ctx := context.Background()
	src := makeSdist(t, copyProject(t, "legacy"), "legacy-pkg-0.3")

	reqs, err := s.Requires(ctx, Request{Source: src, Deps: []install.LocalFile{setuptools}})
	if err != nil || !reflect.DeepEqual(reqs, []string{"wheel"}) {
		t.Fatalf("Requires = %q, %v; want setuptools' legacy answer [wheel]", reqs, err)
	}
	_, err = s.Build(ctx, Request{Source: src, Deps: []install.LocalFile{setuptools}})
	var mr *MissingRequirementsError
	if !errors.As(err, &mr) || !reflect.DeepEqual(mr.Missing, []string{"wheel"}) {
		t.Errorf("Build(setuptools only) = %v, want wheel missing", err)
	}

	deps := []install.LocalFile{setuptools, wheelDist}
	md, err := s.Metadata(ctx, Request{Source: src, Deps: deps})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(md.METADATA), "\nName: legacy-pkg\n") || !strings.Contains(string(md.METADATA), "\nVersion: 0.3\n") || md.Built != nil {
		t.Errorf("Metadata = %q (built %v), want legacy-pkg 0.3 from prepare_metadata_for_build_wheel", md.METADATA, md.Built)
	}
	res, err := s.Build(ctx, Request{Source: src, Deps: deps})
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Base(res.Wheel) != "legacy_pkg-0.3-py3-none-any.whl" || !reflect.DeepEqual(res.Requires, []string{"wheel"}) {
		t.Errorf("Build = %+v, want legacy_pkg-0.3-py3-none-any.whl needing wheel", res)
	}
	if got := installAndRun(t, res, "import legacy_pkg; print(legacy_pkg.ANSWER)"); got != "42" {
		t.Errorf("the installed wheel says %q", got)
	}
	leftovers(t, s)
}
