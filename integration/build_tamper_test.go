package integration

import (
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/safepip/safepip/internal/testindex"
)

// TestTamperedBuildInputStopsInstall locks acme-lib (an sdist built by the
// private acme-build-plugin), then replaces a locked build input on the
// private index with other bytes under the same name: the build
// dependency's wheel, then the sdist itself. `install --frozen` from a
// fresh cache (a CI machine) exits 1 naming the file and both hashes,
// before any build hook runs, with the target environment as it was.
func TestTamperedBuildInputStopsInstall(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	marker := filepath.Join(dir, "PWNED")
	private, public := confusionIndexes(t, marker)
	privSrv, pubSrv := private.Serve(t), public.Serve(t)
	writeFile(t, filepath.Join(dir, "requirements.txt"), confusionRequirements(pubSrv.URL, privSrv.URL))
	writeFile(t, filepath.Join(dir, "safepip.toml"), pinnedConfig(pubSrv.URL, privSrv.URL))
	universalRun(t, dir, 0, nil, "lock", "-r", "requirements.txt")
	venv := filepath.Join(dir, "venv")
	py := freshVenv(t, venv)
	site := siteFiles(t, venv)

	for i, tc := range []struct {
		what     string
		original testindex.Dist
		tampered testindex.Dist
		says     string // what the message says the file is
	}{
		{
			what:     "build dependency",
			original: testindex.TinyBackend("acme-build-plugin", "1.0"),
			tampered: evilPlugin("1.0", marker), // same name and version, the attacker's bytes
			says:     "build dependency of acme-lib 1.0",
		},
		{
			what:     "sdist",
			says:     "acme-lib",
			original: acmeLib(),
			tampered: func() testindex.Dist {
				d := acmeLib()
				d.SdistFiles["acme_lib/__init__.py"] = "ANSWER = 666\n"
				return d
			}(),
		},
	} {
		t.Run(tc.what, func(t *testing.T) {
			want := private.Add(tc.original) // restores what the lock holds
			got := private.Add(tc.tampered)
			defer private.Add(tc.original)
			if got.Filename != want.Filename || got.SHA256 == want.SHA256 {
				t.Fatalf("tampering made %s %s from %s %s: want the same name, other bytes", got.Filename, got.SHA256, want.Filename, want.SHA256)
			}
			log := filepath.Join(dir, tc.what+".log")
			env := map[string]string{
				"TINYBACKEND_LOG":   log,
				"SAFEPIP_CACHE_DIR": filepath.Join(dir, "cache-"+string(rune('a'+i))), // nothing verified yet: it must download
			}
			for run := 0; run < 2; run++ { // the second: a bad file is not kept
				r := runSafepip(t, dir, env, "install", "--frozen", "-r", "requirements.txt", "--python", py)
				if r.code != 1 {
					t.Fatalf("install --frozen with the %s replaced: exit %d, want 1\n%s", tc.what, r.code, r.stderr)
				}
				for _, line := range []string{tc.says, want.Filename, "expected sha256 " + want.SHA256, "got      sha256 " + got.SHA256} {
					if !strings.Contains(r.stderr, line) {
						t.Errorf("install with the %s replaced said:\n%s\nwant a line with %q", tc.what, r.stderr, line)
					}
				}
			}
			if hooks := hookLog(t, log); len(hooks) != 0 {
				t.Errorf("a build hook ran although the %s does not match the lock: %q", tc.what, hooks)
			}
			// verify, before deploy, re-checks every locked file, the
			// build packages' too
			env["SAFEPIP_CACHE_DIR"] = filepath.Join(dir, "cache-verify-"+string(rune('a'+i)))
			if r := runSafepip(t, dir, env, "verify"); r.code != 1 || !strings.Contains(r.stdout+r.stderr, want.Filename) {
				t.Errorf("verify with the %s replaced: exit %d, want 1 naming %s\n%s%s", tc.what, r.code, want.Filename, r.stdout, r.stderr)
			}
			if now := siteFiles(t, venv); !slices.Equal(now, site) {
				t.Errorf("the target changed although install failed: %d files before, %d after", len(site), len(now))
			}
			noMarker(t, marker, "install with the "+tc.what+" replaced")
		})
	}

	// The attacker's wheel written over the verified copy in the lock's own
	// cache (a disk fault, or a local attacker): the bytes are hashed again
	// before use, so they are dropped and the locked file is fetched anew;
	// the attacker's plugin never runs.
	t.Run("cached build dependency", func(t *testing.T) {
		plugin := private.File("acme_build_plugin-1.0-py3-none-any.whl")
		evil, err := testindex.Build(evilPlugin("1.0", marker))
		if err != nil {
			t.Fatal(err)
		}
		cached := filesUnder(t, filepath.Join(dir, "cache"), func(name string) bool { return strings.Contains(name, plugin.SHA256) })
		if len(cached) == 0 {
			t.Fatalf("the lock's cache holds no file named after acme-build-plugin's sha256 %s", plugin.SHA256)
		}
		for _, c := range cached {
			writeFile(t, c, string(evil.Data))
		}
		log := filepath.Join(dir, "cached.log")
		venv := filepath.Join(dir, "venv-cached")
		py := freshVenv(t, venv)
		universalRun(t, dir, 0, map[string]string{"TINYBACKEND_LOG": log}, "install", "--frozen", "-r", "requirements.txt", "--python", py)
		noMarker(t, marker, "install with the attacker's plugin in the cache")
		if hooks := hookLog(t, log); !slices.Contains(hooks, "build_wheel acme-lib") {
			t.Errorf("install did not build acme-lib (hooks %q): the plugin was not put to the test", hooks)
		}
		if got := installedSet(t, venv); !slices.Equal(got, []string{"acme-lib==1.0"}) {
			t.Errorf("installed %v, want acme-lib==1.0", got)
		}
		for _, c := range cached {
			if got := fileSHA256(t, c); got != plugin.SHA256 {
				t.Errorf("the cache entry %s still holds other bytes (sha256 %s)", c, got)
			}
		}
	})
}

// filesUnder returns the regular files under root whose name match accepts.
func filesUnder(t *testing.T, root string, match func(name string) bool) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() && match(d.Name()) {
			out = append(out, path)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestBuiltWheelMustMatchLock: an sdist whose static metadata (PKG-INFO,
// Metadata-Version 2.2, nothing Dynamic) was locked but whose build makes
// something else (another version, or another Requires-Dist, which
// PEP 643 forbids) is not installed: the built wheel is checked against the
// lock as a downloaded wheel is, and the target stays as it was.
func TestBuiltWheelMustMatchLock(t *testing.T) {
	t.Parallel()
	// one index, one target venv (a refused install leaves it as it was)
	dir := t.TempDir()
	cases := []struct {
		name, tiny, want string
	}{
		{"acme-shifty", `{"name": "acme-shifty", "version": "6.6.6", "module": "acme_shifty"}`, "6.6.6"},
		{"acme-shifted", `{"name": "acme-shifted", "version": "1.0", "module": "acme_shifted", "dependencies": ["acme-extra-payload"]}`, "Requires-Dist"},
	}
	idx := testindex.New(t)
	idx.Add(testindex.TinyBackend("tinybackend", "1.0"))
	idx.Add(testindex.Dist{Name: "acme-extra-payload", Version: "1.0"})
	for _, tc := range cases {
		idx.Add(testindex.Dist{Name: tc.name, Version: "1.0", Sdist: true, SdistFiles: map[string]string{
			"pyproject.toml": testindex.TinyPyproject,
			"PKG-INFO":       "Metadata-Version: 2.2\nName: " + tc.name + "\nVersion: 1.0\n",
			"tiny.json":      tc.tiny,
		}})
	}
	srv := idx.Serve(t)
	writeFile(t, filepath.Join(dir, "safepip.toml"), oneIndexConfig(srv.URL, cases[0].name, cases[1].name))
	venv := filepath.Join(dir, "venv")
	py := freshVenv(t, venv)
	site := siteFiles(t, venv)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			reqs, lockPath := tc.name+".txt", tc.name+".lock"
			writeFile(t, filepath.Join(dir, reqs), tc.name+"\n")
			universalRun(t, dir, 0, nil, "lock", "-r", reqs, "--lock", lockPath)
			r := runSafepip(t, dir, nil, "install", "--frozen", "-r", reqs, "--lock", lockPath, "--python", py)
			if r.code != 1 {
				t.Errorf("install of a build that is not what was locked: exit %d, want 1 (a check failed)\n%s", r.code, r.stderr)
			}
			for _, want := range []string{tc.name, tc.want} {
				if !strings.Contains(r.stderr, want) {
					t.Errorf("install of a build that is not what was locked said:\n%s\nwant it to name %s", r.stderr, want)
				}
			}
			if now := siteFiles(t, venv); !slices.Equal(now, site) {
				t.Errorf("the target changed: %d files before, %d after", len(site), len(now))
			}
		})
	}
}

// TestHostileSdistIsNotUnpacked: an sdist with a member that climbs out of
// its top directory is refused (exit 2) naming the member, and nothing is
// written outside the build's directory (TMPDIR is the test's, so a member
// that escaped would be found there).
func TestHostileSdistIsNotUnpacked(t *testing.T) {
	dir := t.TempDir()
	tmp := filepath.Join(dir, "tmp")
	if err := os.Mkdir(tmp, 0o755); err != nil {
		t.Fatal(err)
	}
	idx := testindex.New(t)
	idx.Add(testindex.TinyBackend("tinybackend", "1.0"))
	idx.Add(testindex.Dist{Name: "acme-climb", Version: "1.0", Sdist: true, SdistFiles: map[string]string{
		"pyproject.toml":              testindex.TinyPyproject,
		"PKG-INFO":                    "Metadata-Version: 2.2\nName: acme-climb\nVersion: 1.0\n",
		"../../../ESCAPED-acme-climb": "written outside the sdist's directory\n",
	}})
	srv := idx.Serve(t)
	writeFile(t, filepath.Join(dir, "requirements.txt"), "acme-climb\n")
	writeFile(t, filepath.Join(dir, "safepip.toml"), oneIndexConfig(srv.URL, "acme-climb"))
	r := runSafepip(t, dir, map[string]string{"TMPDIR": tmp}, "lock", "-r", "requirements.txt")
	if r.code != 2 || !strings.Contains(r.stderr, "ESCAPED-acme-climb") {
		t.Errorf("lock of an sdist with a member outside its directory: exit %d, want 2 naming the member\n%s", r.code, r.stderr)
	}
	if escaped := filesUnder(t, dir, func(name string) bool { return name == "ESCAPED-acme-climb" }); len(escaped) != 0 {
		t.Errorf("the sdist's member was written at %q", escaped)
	}
}

// TestBuildCredentialsStayOut: the private index wants a password (from
// $NETRC); the lock, safepip's output, the cache, the installed files and
// everything the backend sees (its whole environment, dumped by `env`
// during build_wheel) hold neither the password nor the index's address.
func TestBuildCredentialsStayOut(t *testing.T) {
	t.Parallel()
	const secret = "s3cret-token-4711"
	dir := t.TempDir()
	idx := testindex.New(t)
	idx.Add(testindex.TinyBackend("tinybackend", "1.0"))
	idx.Add(testindex.Dist{Name: "acme-secretive", Version: "1.0", Sdist: true, SdistFiles: map[string]string{
		"pyproject.toml": testindex.TinyPyproject,
		"PKG-INFO":       "Metadata-Version: 2.2\nName: acme-secretive\nVersion: 1.0\n",
		"tiny.json":      `{"name": "acme-secretive", "version": "1.0", "module": "acme_secretive", "run_tool": "env"}`,
	}})
	srv := idx.Serve(t)
	srv.RequireAuth("build", secret)
	writeFile(t, filepath.Join(dir, "netrc"), "machine 127.0.0.1 login build password "+secret+"\n")
	writeFile(t, filepath.Join(dir, "requirements.txt"), "acme-secretive\n")
	writeFile(t, filepath.Join(dir, "safepip.toml"), oneIndexConfig(srv.URL, "acme-secretive"))
	log := filepath.Join(dir, "hooks.log")
	env := map[string]string{"NETRC": filepath.Join(dir, "netrc"), "TINYBACKEND_LOG": log}
	lockRun := runSafepip(t, dir, env, "lock", "-r", "requirements.txt")
	if lockRun.code != 0 {
		t.Fatalf("lock from the private index: exit %d\n%s", lockRun.code, lockRun.stderr)
	}
	venv := filepath.Join(dir, "venv")
	py := freshVenv(t, venv)
	env["SAFEPIP_CACHE_DIR"] = filepath.Join(dir, "cache-install")
	installRun := runSafepip(t, dir, env, "install", "--frozen", "-r", "requirements.txt", "--python", py)
	if installRun.code != 0 {
		t.Fatalf("install from the private index: exit %d\n%s", installRun.code, installRun.stderr)
	}
	hooks := strings.Join(hookLog(t, log), "\n")
	if !strings.Contains(hooks, "build_wheel acme-secretive") || !strings.Contains(hooks, "tool: ") {
		t.Fatalf("the backend did not build or dump its environment: %q", hooks)
	}
	host := strings.TrimPrefix(srv.Base, "http://")
	for what, text := range map[string]string{
		"lock output": lockRun.stdout + lockRun.stderr, "install output": installRun.stdout + installRun.stderr,
		"the lock": string(readFile(t, filepath.Join(dir, "safepip.lock"))),
	} {
		if strings.Contains(text, secret) {
			t.Errorf("%s holds the password", what)
		}
	}
	if strings.Contains(hooks, secret) || strings.Contains(hooks, host) {
		t.Errorf("the backend saw the password or the index's address %s:\n%s", host, hooks)
	}
	for _, root := range []string{filepath.Join(dir, "cache"), filepath.Join(dir, "cache-install"), venv} {
		for _, f := range filesUnder(t, root, func(string) bool { return true }) {
			if data, err := os.ReadFile(f); err == nil && strings.Contains(string(data), secret) {
				t.Errorf("%s holds the password", f)
			}
		}
	}
}
