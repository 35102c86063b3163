package project

import (
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/safepip/safepip/config"
	"github.com/safepip/safepip/pypa/reqfile"
)

// TestAddFormatControl: a requirements file's --no-binary/--only-binary
// lines apply after pip's configuration, in the file's order, as pip's
// handle_mutual_excludes applies them: ":none:" also clears the
// configuration's names, and ":all:" followed by a name of the other kind
// keeps both.
func TestAddFormatControl(t *testing.T) {
	tests := []struct {
		name     string
		pipNo    string // PIP_NO_BINARY
		pipOnly  string // PIP_ONLY_BINARY
		file     string
		no, only string // "name@source" joined with " "
	}{
		{"file :none: clears the configuration's names", "foo,bar", "", "--no-binary :none:\n--no-binary baz\n", "baz@r.txt:2", ""},
		{"only :all: then a no-binary name", "", "", "--only-binary :all:\n--no-binary foo\n", "foo@r.txt:2", ":all:@r.txt:1"},
		{"no-binary name then only :all:", "", "", "--no-binary foo\n--only-binary :all:\n", "", ":all:@r.txt:2"},
		{"a file name moves a configured one", "foo", "bar", "--only-binary Foo\n", "", "bar@PIP_ONLY_BINARY foo@r.txt:1"},
		{"the configuration stays without file lines", "b,a", "", "", "a@PIP_NO_BINARY b@PIP_NO_BINARY", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := map[string]string{"PIP_NO_BINARY": tt.pipNo, "PIP_ONLY_BINARY": tt.pipOnly}
			pip, err := config.ReadPip(config.PipCommand, nil, func(k string) (string, bool) { v, ok := env[k]; return v, ok && v != "" })
			if err != nil {
				t.Fatal(err)
			}
			f, err := reqfile.Parse("r.txt", []byte(tt.file), reqfile.Options{})
			if err != nil {
				t.Fatal(err)
			}
			pc := &pipConf{pip: pip}
			pc.addFormatControl(f.Options)
			cfg, err := loadConfig(&Env{Dir: t.TempDir()}, pc, nil, config.Flags{})
			if err != nil {
				t.Fatal(err)
			}
			show := func(m map[string]config.PipValue) string {
				var out []string
				for _, name := range slices.Sorted(maps.Keys(m)) {
					out = append(out, name+"@"+m[name].Source)
				}
				return strings.Join(out, " ")
			}
			fc := cfg.FormatControl()
			if got := show(fc.NoBinary); got != tt.no {
				t.Errorf("no-binary %q, want %q", got, tt.no)
			}
			if got := show(fc.OnlyBinary); got != tt.only {
				t.Errorf("only-binary %q, want %q", got, tt.only)
			}
		})
	}
}
