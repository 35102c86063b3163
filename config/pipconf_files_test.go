package config

import (
	"encoding/json"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// pipFilesCase is one machine: its operating system, environment and
// file system, and the files pip loads there, lowest precedence first
// ("variant path").
type pipFilesCase struct {
	Name   string            `json:"name"`
	GOOS   string            `json:"goos"`
	Env    map[string]string `json:"env"`
	Prefix string            `json:"prefix"`
	Exists []string          `json:"exists"` // files and directories
	Dirs   []string          `json:"dirs"`   // directories (also exist)
	want   []string
}

var pipFilesCases = []pipFilesCase{
	{
		Name: "linux defaults", GOOS: "linux", Prefix: "/usr",
		Env:  map[string]string{"HOME": "/home/u"},
		want: []string{"global /etc/xdg/pip/pip.conf", "global /etc/pip.conf", "user /home/u/.pip/pip.conf", "user /home/u/.config/pip/pip.conf", "site /usr/pip.conf"},
	},
	{
		Name: "linux XDG dirs and home, site prefix", GOOS: "linux", Prefix: "/venv",
		Env:  map[string]string{"HOME": "/home/u", "XDG_CONFIG_DIRS": "/a:~/b", "XDG_CONFIG_HOME": "/cfg"},
		want: []string{"global /a/pip/pip.conf", "global /home/u/b/pip/pip.conf", "global /etc/pip.conf", "user /home/u/.pip/pip.conf", "user /cfg/pip/pip.conf", "site /venv/pip.conf"},
	},
	{
		Name: "linux blank XDG values fall back to the defaults", GOOS: "linux", Prefix: "/venv",
		Env:  map[string]string{"HOME": "/home/u", "XDG_CONFIG_DIRS": " ", "XDG_CONFIG_HOME": " "},
		want: []string{"global /etc/xdg/pip/pip.conf", "global /etc/pip.conf", "user /home/u/.pip/pip.conf", "user /home/u/.config/pip/pip.conf", "site /venv/pip.conf"},
	},
	{
		Name: "linux PIP_CONFIG_FILE that exists replaces the user files and comes last", GOOS: "linux", Prefix: "/venv",
		Env:    map[string]string{"HOME": "/home/u", "PIP_CONFIG_FILE": "/p.conf"},
		Exists: []string{"/p.conf"},
		want:   []string{"global /etc/xdg/pip/pip.conf", "global /etc/pip.conf", "site /venv/pip.conf", "env /p.conf"},
	},
	{
		Name: "linux PIP_CONFIG_FILE that does not exist keeps the user files", GOOS: "linux", Prefix: "/venv",
		Env:  map[string]string{"HOME": "/home/u", "PIP_CONFIG_FILE": "/missing.conf"},
		want: []string{"global /etc/xdg/pip/pip.conf", "global /etc/pip.conf", "user /home/u/.pip/pip.conf", "user /home/u/.config/pip/pip.conf", "site /venv/pip.conf", "env /missing.conf"},
	},
	{
		Name: "linux PIP_CONFIG_FILE=/dev/null loads nothing", GOOS: "linux", Prefix: "/venv",
		Env: map[string]string{"HOME": "/home/u", "PIP_CONFIG_FILE": "/dev/null"},
	},
	{
		Name: "linux PIP_CONFIG_FILE=nul is a file name", GOOS: "linux", Prefix: "/venv",
		Env:  map[string]string{"HOME": "/home/u", "PIP_CONFIG_FILE": "nul"},
		want: []string{"global /etc/xdg/pip/pip.conf", "global /etc/pip.conf", "user /home/u/.pip/pip.conf", "user /home/u/.config/pip/pip.conf", "site /venv/pip.conf", "env nul"},
	},
	{
		Name: "macOS without ~/Library/Application Support/pip uses ~/.config/pip", GOOS: "darwin", Prefix: "/venv",
		Env:  map[string]string{"HOME": "/Users/u", "XDG_CONFIG_HOME": "/ignored", "XDG_CONFIG_DIRS": "/ignored"},
		want: []string{"global /Library/Application Support/pip/pip.conf", "user /Users/u/.pip/pip.conf", "user /Users/u/.config/pip/pip.conf", "site /venv/pip.conf"},
	},
	{
		Name: "macOS with ~/Library/Application Support/pip", GOOS: "darwin", Prefix: "/venv",
		Env:  map[string]string{"HOME": "/Users/u"},
		Dirs: []string{"/Users/u/Library/Application Support/pip"},
		want: []string{"global /Library/Application Support/pip/pip.conf", "user /Users/u/.pip/pip.conf", "user /Users/u/Library/Application Support/pip/pip.conf", "site /venv/pip.conf"},
	},
	{
		Name: "macOS PIP_CONFIG_FILE=/dev/null loads nothing", GOOS: "darwin", Prefix: "/venv",
		Env: map[string]string{"HOME": "/Users/u", "PIP_CONFIG_FILE": "/dev/null"},
	},
	{
		Name: "macOS PIP_CONFIG_FILE that exists", GOOS: "darwin", Prefix: "/venv",
		Env:    map[string]string{"HOME": "/Users/u", "PIP_CONFIG_FILE": "/etc/p.conf"},
		Exists: []string{"/etc/p.conf"},
		want:   []string{"global /Library/Application Support/pip/pip.conf", "site /venv/pip.conf", "env /etc/p.conf"},
	},
	{
		Name: "windows", GOOS: "windows", Prefix: `C:\Python311`,
		Env:  map[string]string{"USERPROFILE": `C:\Users\u`, "APPDATA": `C:\Users\u\AppData\Roaming`, "ALLUSERSPROFILE": `C:\ProgramData`, "PROGRAMDATA": `C:\ProgramData`, "HOME": "/ignored", "XDG_CONFIG_HOME": "/ignored"},
		want: []string{`global C:\ProgramData\pip\pip.ini`, `user C:\Users\u\pip\pip.ini`, `user C:\Users\u\AppData\Roaming\pip\pip.ini`, `site C:\Python311\pip.ini`},
	},
	{
		Name: "windows paths written with / and a trailing separator", GOOS: "windows", Prefix: `D:\envs\x`,
		Env:  map[string]string{"USERPROFILE": `C:\Users\u`, "APPDATA": `D:/roaming/`, "ALLUSERSPROFILE": `E:\data\`, "PROGRAMDATA": `E:\data\`},
		want: []string{`global E:\data\pip\pip.ini`, `user C:\Users\u\pip\pip.ini`, `user D:\roaming\pip\pip.ini`, `site D:\envs\x\pip.ini`},
	},
	{
		Name: "windows PIP_CONFIG_FILE=nul loads nothing", GOOS: "windows", Prefix: `C:\Python311`,
		Env: map[string]string{"USERPROFILE": `C:\Users\u`, "APPDATA": `C:\Users\u\AppData\Roaming`, "ALLUSERSPROFILE": `C:\ProgramData`, "PROGRAMDATA": `C:\ProgramData`, "PIP_CONFIG_FILE": "nul"},
	},
	{
		Name: "windows PIP_CONFIG_FILE=/dev/null is a file name", GOOS: "windows", Prefix: `C:\Python311`,
		Env:  map[string]string{"USERPROFILE": `C:\Users\u`, "APPDATA": `C:\Users\u\AppData\Roaming`, "ALLUSERSPROFILE": `C:\ProgramData`, "PROGRAMDATA": `C:\ProgramData`, "PIP_CONFIG_FILE": "/dev/null"},
		want: []string{`global C:\ProgramData\pip\pip.ini`, `user C:\Users\u\pip\pip.ini`, `user C:\Users\u\AppData\Roaming\pip\pip.ini`, `site C:\Python311\pip.ini`, "env /dev/null"},
	},
	{
		Name: "windows PIP_CONFIG_FILE that exists", GOOS: "windows", Prefix: `C:\Python311`,
		Env:    map[string]string{"USERPROFILE": `C:\Users\u`, "APPDATA": `C:\Users\u\AppData\Roaming`, "ALLUSERSPROFILE": `C:\ProgramData`, "PROGRAMDATA": `C:\ProgramData`, "PIP_CONFIG_FILE": `C:\cfg\pip.ini`},
		Exists: []string{`C:\cfg\pip.ini`},
		want:   []string{`global C:\ProgramData\pip\pip.ini`, `site C:\Python311\pip.ini`, `env C:\cfg\pip.ini`},
	},
	{
		Name: "windows home from HOMEDRIVE and HOMEPATH", GOOS: "windows", Prefix: `C:\Python311`,
		Env:  map[string]string{"HOMEDRIVE": `C:`, "HOMEPATH": `\Users\v`, "APPDATA": `C:\Users\v\AppData\Roaming`, "ALLUSERSPROFILE": `C:\ProgramData`, "PROGRAMDATA": `C:\ProgramData`},
		want: []string{`global C:\ProgramData\pip\pip.ini`, `user C:\Users\v\pip\pip.ini`, `user C:\Users\v\AppData\Roaming\pip\pip.ini`, `site C:\Python311\pip.ini`},
	},
}

// safepipFiles is PipConfigFiles for c as "variant path" lines.
func safepipFiles(c pipFilesCase) []string {
	env := PipConfigEnv{
		GOOS:   c.GOOS,
		Prefix: c.Prefix,
		Getenv: func(k string) (string, bool) { v, ok := c.Env[k]; return v, ok },
		Exists: func(p string) bool { return slices.Contains(c.Exists, p) || slices.Contains(c.Dirs, p) },
		IsDir:  func(p string) bool { return slices.Contains(c.Dirs, p) },
	}
	var out []string
	for _, f := range PipConfigFiles(env) {
		out = append(out, f.Variant+" "+f.Path)
	}
	return out
}

// TestPipConfigFiles checks the file list of each operating system as
// read from pip 23.2.1's configuration.py, utils/appdirs.py and vendored
// platformdirs (TestPipConfigFilesAgainstPip asks pip itself).
func TestPipConfigFiles(t *testing.T) {
	for _, c := range pipFilesCases {
		t.Run(c.Name, func(t *testing.T) {
			if got := safepipFiles(c); !slices.Equal(got, c.want) {
				t.Errorf("PipConfigFiles =\n  %q\nwant\n  %q", got, c.want)
			}
		})
	}
}

func TestPipDevNull(t *testing.T) {
	for goos, want := range map[string]string{"windows": "nul", "darwin": "/dev/null", "linux": "/dev/null", "freebsd": "/dev/null"} {
		if got := PipDevNull(goos); got != want {
			t.Errorf("PipDevNull(%q) = %q, want %q", goos, got, want)
		}
	}
}

func TestPipConfigFilesHomeFallback(t *testing.T) {
	// Without HOME, Python's expanduser reads the password database:
	// PipConfigEnv.Home. Windows never does.
	env := PipConfigEnv{GOOS: "linux", Home: "/pw/home", Prefix: "/venv"}
	got := PipConfigFiles(env)
	want := []PipConfigFile{{"/etc/xdg/pip/pip.conf", "global"}, {"/etc/pip.conf", "global"},
		{"/pw/home/.pip/pip.conf", "user"}, {"/pw/home/.config/pip/pip.conf", "user"}, {"/venv/pip.conf", "site"}}
	if !slices.Equal(got, want) {
		t.Errorf("linux without HOME: %q, want %q", got, want)
	}
	env = PipConfigEnv{GOOS: "windows", Home: "/pw/home", Prefix: `C:\py`}
	want = []PipConfigFile{{`C:\ProgramData\pip\pip.ini`, "global"}, {`~\pip\pip.ini`, "user"}, {`C:\py\pip.ini`, "site"}}
	if got := PipConfigFiles(env); !slices.Equal(got, want) {
		t.Errorf("windows without USERPROFILE: %q, want %q", got, want)
	}
}

// pipFilesOracle runs pip's own get_configuration_files and
// Configuration.iter_config_files for each case in this one (Linux)
// process, posing as the case's operating system: sys.platform, os.path
// (ntpath or posixpath with the case's file system), os.pathsep,
// os.devnull, sys.prefix and os.environ are replaced and the modules
// that read them at import (pip's compat, platformdirs, appdirs,
// configuration) reloaded. platformdirs' Windows folders then come from
// the environment (APPDATA, ALLUSERSPROFILE): the fallback it takes when
// there is neither ctypes.windll nor winreg; on Windows itself
// SHGetFolderPathW answers, with the same directories on a standard
// installation.
const pipFilesOracle = `
import importlib, json, ntpath, os, posixpath, sys, types
import pip._internal.utils.compat as compat
import pip._vendor.platformdirs as platformdirs
import pip._vendor.platformdirs.windows as pdwin
import pip._internal.utils.appdirs as appdirs
import pip._internal.configuration as configuration

real_environ = dict(os.environ)
out = []
for c in json.load(sys.stdin):
    win = c["goos"] == "windows"
    base = ntpath if win else posixpath
    fake = types.ModuleType("fakepath")
    fake.__dict__.update(base.__dict__)
    exists, dirs = set(c["exists"] or []), set(c["dirs"] or [])
    fake.exists = lambda p, e=exists, d=dirs: p in e or p in d
    fake.isdir = lambda p, d=dirs: p in d
    os.path = fake
    os.pathsep = ";" if win else ":"
    os.devnull = "nul" if win else "/dev/null"
    sys.platform = {"windows": "win32", "darwin": "darwin"}.get(c["goos"], "linux")
    sys.prefix = c["prefix"]
    os.environ.clear()
    os.environ.update(c["env"] or {})
    for m in (compat, platformdirs, pdwin, appdirs, configuration):
        importlib.reload(m)
    conf = configuration.Configuration(isolated=False)
    files = dict(conf.iter_config_files())
    got = []
    if files[configuration.kinds.ENV][0:1] != [os.devnull]:
        for variant in configuration.OVERRIDE_ORDER:
            for f in files.get(variant, []):
                got.append(variant + " " + f)
    out.append(got)
os.environ.clear()
os.environ.update(real_environ)
json.dump(out, sys.stdout)
`

// TestPipConfigFilesAgainstPip checks every case of pipFilesCases against
// what pip 23.2.1 itself computes (see pipFilesOracle).
func TestPipConfigFilesAgainstPip(t *testing.T) {
	in, err := json.Marshal(pipFilesCases)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("python3", "-c", pipFilesOracle)
	cmd.Stdin, cmd.Env = strings.NewReader(string(in)), []string{"PATH=" + os.Getenv("PATH")}
	out, err := cmd.Output()
	if ee, ok := err.(*exec.ExitError); ok {
		t.Fatalf("pip oracle: %v\n%s", err, ee.Stderr)
	} else if err != nil {
		t.Fatalf("pip oracle (python3 with pip 23.2.1 is needed): %v", err)
	}
	var want [][]string
	if err := json.Unmarshal(out, &want); err != nil {
		t.Fatalf("pip oracle: %v: %s", err, out)
	}
	if len(want) != len(pipFilesCases) {
		t.Fatalf("pip answered %d cases of %d", len(want), len(pipFilesCases))
	}
	for i, c := range pipFilesCases {
		if got := safepipFiles(c); !slices.Equal(got, want[i]) && !(len(got) == 0 && len(want[i]) == 0) {
			t.Errorf("%s:\nsafepip %q\npip     %q", c.Name, got, want[i])
		}
	}
}
