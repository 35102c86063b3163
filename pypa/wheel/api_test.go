package wheel

import (
	"errors"
	"strings"
	"testing"

	"github.com/safepip/safepip/pypa/pep440"
	"github.com/safepip/safepip/pypa/tags"
)

func tagList(ts []tags.Tag) string {
	s := make([]string, len(ts))
	for i, t := range ts {
		s[i] = t.String()
	}
	return strings.Join(s, " ")
}

func TestParseWheel(t *testing.T) {
	tests := []struct {
		in                   string
		name, version, build string
		tags                 string // space-separated, or "error: <substring>"
	}{
		{"foo-1.0-py3-none-any.whl", "foo", "1.0", "", "py3-none-any"},
		{"Foo_Bar-1.0-1-py2.py3-none-any.whl", "foo-bar", "1.0", "1", "py2-none-any py3-none-any"},
		{"zope.interface-6.0-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl", "zope-interface", "6.0", "",
			"cp311-cp311-manylinux_2_17_x86_64 cp311-cp311-manylinux2014_x86_64"},
		{"foo-1.0_post1-01abc-PY3-NONE-ANY.whl", "foo", "1.0.post1", "01abc", "py3-none-any"},
		{"foo-1!2.0+local.7-py3-none-any.whl", "foo", "1!2.0+local.7", "", "py3-none-any"},
		{"foo-V1.0RC1-py3-none-any.whl", "foo", "1.0rc1", "", "py3-none-any"},
		{"foo-1.0-py3-none-any.WHL", "", "", "", `error: want the extension ".whl"`},
		{"foo-1.0-py3-none-any", "", "", "", `error: want the extension ".whl"`},
		{"foo-1.0-py3-none.whl", "", "", "", "error: found 4 dash-separated parts"},
		{"foo-bar-1.0-1-py3-none-any.whl", "", "", "", "error: found 7 dash-separated parts"},
		{"foo-1.0--py3-none-any.whl", "", "", "", "error: part 3 is empty"},
		{"-1.0-py3-none-any.whl", "", "", "", "error: part 1 is empty"},
		{"foo__bar-1.0-py3-none-any.whl", "", "", "", `error: name "foo__bar": "__" not allowed`},
		{"_foo-1.0-py3-none-any.whl", "", "", "", `error: name "_foo": not a valid project name`},
		{"foo.-1.0-py3-none-any.whl", "", "", "", `error: name "foo.": not a valid project name`},
		{"foo-1.x-py3-none-any.whl", "", "", "", `error: version is not PEP 440: "1.x"`},
		{"foo-1.0-abc-py3-none-any.whl", "", "", "", `error: build tag "abc": must start with a digit`},
		{"foo-1.0-1.2-py3-none-any.whl", "", "", "", `error: build tag "1.2": character '.' not allowed`},
		{"foo-1.0-py3..py2-none-any.whl", "", "", "", `error: ".." not allowed`},
		{"foo-1.0-py3.-none-any.whl", "", "", "", `error: bad tags: invalid tag "py3.-none-any": interpreter "py3.": empty component`},
		{"../foo-1.0-py3-none-any.whl", "", "", "", "error: a filename, not a path"},
		{"dir/foo-1.0-py3-none-any.whl", "", "", "", "error: a filename, not a path"},
		{`dir\foo-1.0-py3-none-any.whl`, "", "", "", "error: a filename, not a path"},
		{"foo bar-1.0-py3-none-any.whl", "", "", "", `error: character ' ' not allowed`},
		{"fé-1.0-py3-none-any.whl", "", "", "", `error: character 'é' not allowed`},
		{"", "", "", "", "error: empty"},
	}
	for _, tt := range tests {
		w, err := ParseWheel(tt.in)
		if want, ok := strings.CutPrefix(tt.tags, "error: "); ok {
			var fe *FilenameError
			if !errors.As(err, &fe) || fe.Filename != tt.in || fe.Kind != "wheel" || !strings.Contains(err.Error(), want) {
				t.Errorf("ParseWheel(%q) = %+v, %v; want *FilenameError containing %q", tt.in, w, err, want)
			}
			continue
		}
		if err != nil || w.Name != tt.name || w.Version.String() != tt.version || w.Build != tt.build || tagList(w.Tags) != tt.tags {
			t.Errorf("ParseWheel(%q) = %s %s %q [%s], %v; want %s %s %q [%s]",
				tt.in, w.Name, w.Version, w.Build, tagList(w.Tags), err, tt.name, tt.version, tt.build, tt.tags)
		}
	}
}

func TestParseWheelErrorWraps(t *testing.T) {
	_, err := ParseWheel("foo-1.x-py3-none-any.whl")
	var pe *pep440.ParseError
	if !errors.As(err, &pe) {
		t.Errorf("ParseWheel error %v does not wrap *pep440.ParseError", err)
	}
	_, err = ParseWheel("foo-1.0-py3-none-a+y.whl")
	var te *tags.TagError
	if !errors.As(err, &te) {
		t.Errorf("ParseWheel error %v does not wrap *tags.TagError", err)
	}
	long := strings.Repeat("a", 5000) + "-1.0-py3-none-any.whl"
	if _, err := ParseWheel("_" + long); err == nil || len(err.Error()) > 1000 {
		t.Errorf("error for a long filename is %d bytes, want it shortened", len(err.Error()))
	}
}

func TestWheelFilename(t *testing.T) {
	tests := []struct{ in, want string }{
		{"foo-1.0-py3-none-any.whl", "foo-1.0-py3-none-any.whl"},
		{"Foo.Bar-1.0-1-PY2.py3-none-any.whl", "foo_bar-1.0-1-py2.py3-none-any.whl"},
		{"foo-1.0_post1-cp38.cp39-abi3.none-win32.win_amd64.whl", "foo-1.0.post1-cp38.cp39-abi3.none-win32.win_amd64.whl"},
		{"foo-1.0-py3.py3-none-any.whl", "foo-1.0-py3-none-any.whl"},
	}
	for _, tt := range tests {
		w, err := ParseWheel(tt.in)
		if err != nil {
			t.Fatal(err)
		}
		if got, err := w.Filename(); err != nil || got != tt.want {
			t.Errorf("ParseWheel(%q).Filename() = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
	w, _ := ParseWheel("foo-1.0-py2.py3-none-any.whl")
	w.Tags = append(w.Tags, tags.Tag{Interpreter: "cp311", ABI: "abi3", Platform: "win32"})
	if got, err := w.Filename(); err == nil {
		t.Errorf("Filename() of a non-product tag set = %q, want an error", got)
	}
	if got, err := (Wheel{Name: "foo", Version: pep440.MustParse("1")}).Filename(); err == nil {
		t.Errorf("Filename() without tags = %q, want an error", got)
	}
}

func TestParseSdist(t *testing.T) {
	tests := []struct {
		in, name, version string
		err               string
	}{
		{in: "foo_bar-1.0.tar.gz", name: "foo-bar", version: "1.0"},
		{in: "Django-4.2.tar.gz", name: "django", version: "4.2"},
		{in: "zope.interface-6.0.zip", name: "zope-interface", version: "6.0"},
		{in: "python-dateutil-2.8.2.tar.gz", name: "python-dateutil", version: "2.8.2"},
		{in: "foo-2-1.0.tar.gz", name: "foo-2", version: "1.0"},
		{in: "foo-1!1.0rc1+abc.tar.gz", name: "foo", version: "1!1.0rc1+abc"},
		{in: "foo-1.0-2.tar.gz", err: "ambiguous: foo-1.0 2 or foo 1.0-2; rename it foo-1.0.post2.tar.gz"},
		{in: "foo-1.0.tar.bz2", err: "want name-version.tar.gz"},
		{in: "foo-1.0.TAR.GZ", err: "want name-version.tar.gz"},
		{in: "foo.tar.gz", err: "no dash between name and version"},
		{in: "-1.0.tar.gz", err: `name "": not a valid project name`},
		{in: "foo_-1.0.tar.gz", err: `name "foo_": not a valid project name`},
		{in: "foo-bar.tar.gz", err: `version is not PEP 440: "bar"`},
		{in: "foo-.tar.gz", err: `version is not PEP 440`},
		{in: ".tar.gz", err: "want name-version.tar.gz"},
		{in: "../foo-1.0.tar.gz", err: "a filename, not a path"},
		{in: "foo-1.0 .tar.gz", err: "character ' ' not allowed"},
	}
	for _, tt := range tests {
		s, err := ParseSdist(tt.in)
		if tt.err != "" {
			var fe *FilenameError
			if !errors.As(err, &fe) || fe.Kind != "sdist" || fe.Filename != tt.in || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("ParseSdist(%q) = %+v, %v; want *FilenameError containing %q", tt.in, s, err, tt.err)
			}
			continue
		}
		if err != nil || s.Name != tt.name || s.Version.String() != tt.version {
			t.Errorf("ParseSdist(%q) = %s %s, %v; want %s %s", tt.in, s.Name, s.Version, err, tt.name, tt.version)
		}
		if again, err := ParseSdist(s.Filename()); err != nil || again.Name != s.Name || again.Version.String() != s.Version.String() {
			t.Errorf("ParseSdist(%q) = %+v, %v; want %+v", s.Filename(), again, err, s)
		}
	}
}

func TestCompareBuild(t *testing.T) {
	// one ascending table, checked pairwise
	ordered := [][]string{{""}, {"0", "00"}, {"1", "01", "001"}, {"1a"}, {"1b"}, {"2"}, {"10"}, {"10_x"}, {"99999999999999999999999"}}
	for i, group := range ordered {
		for j, other := range ordered {
			for _, a := range group {
				for _, b := range other {
					want := 0
					if i < j {
						want = -1
					} else if i > j {
						want = 1
					}
					if got := CompareBuild(a, b); got != want {
						t.Errorf("CompareBuild(%q, %q) = %d, want %d", a, b, got, want)
					}
				}
			}
		}
	}
}

func TestSameDistribution(t *testing.T) {
	tests := []struct {
		a, b string
		same bool
		err  bool
	}{
		{"foo-1.0-py3-none-any.whl", "foo-1.0-py3-none-any.whl", true, false},
		{"Foo.Bar-1.0-py2.py3-none-any.whl", "foo_bar-1.0-py3.py2-none-any.whl", true, false},
		{"foo-1.0-py3-none-any.whl", "foo-1.0.0-py3-none-any.whl", false, false},
		{"foo-1.0-py3-none-any.whl", "foo-1.0-1-py3-none-any.whl", false, false},
		{"foo-1.0-01-py3-none-any.whl", "foo-1.0-1-py3-none-any.whl", true, false},
		{"foo-1.0-py3-none-any.whl", "foo-1.0-py2.py3-none-any.whl", false, false},
		{"foo-1.0-py3-none-any.whl", "bar-1.0-py3-none-any.whl", false, false},
		{"foo-1.0RC1-py3-none-any.whl", "foo-1.0rc1-py3-none-any.whl", true, false},
		{"foo-1.0-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
			"foo-1.0-cp311-cp311-manylinux_2_17_x86_64.whl", false, false},
		{"Foo-1.0.tar.gz", "foo-1.0.tar.gz", true, false},
		{"Foo-1.0.zip", "foo-1.0.zip", true, false},
		{"foo-1.0.tar.gz", "foo-1.0.zip", false, false},
		{"foo_bar-1.0.tar.gz", "foo-bar-1.0.tar.gz", true, false},
		{"foo-1.0.tar.gz", "foo-1.0-py3-none-any.whl", false, false},
		{"foo-1.0-py3-none-any.whl", "foo-1.0.tar.gz", false, false},
		{"foo-1.0.tar.gz", "foo-1.1.tar.gz", false, false},
		{"foo-1.0.tar.gz", "../foo-1.0.tar.gz", false, true},
		{"foo-1.x-py3-none-any.whl", "foo-1.0-py3-none-any.whl", false, true},
		{"foo-1.0-py3-none-any.whl", "foo-1.0-py3-none.whl", false, true},
		{"foo-1.0-py3-none-any.whl", "foo-1.x.tar.gz", false, true},
	}
	for _, tt := range tests {
		for _, pair := range [][2]string{{tt.a, tt.b}, {tt.b, tt.a}} {
			same, err := SameDistribution(pair[0], pair[1])
			if same != tt.same || (err != nil) != tt.err {
				t.Errorf("SameDistribution(%q, %q) = %v, %v; want %v, error %v", pair[0], pair[1], same, err, tt.same, tt.err)
			}
		}
	}
}

func FuzzParseWheel(f *testing.F) {
	for _, s := range []string{"foo-1.0-py3-none-any.whl", "Foo_Bar-1.0-1-py2.py3-none-any.whl",
		"numpy-1.26.4-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
		"foo-1!2.0+local.7-01abc-PP310-pypy310_pp73-win_amd64.whl", "foo-1.0--py3-none-any.whl",
		"../foo-1.0-py3-none-any.whl", "foo__bar-1.0-py3-none-any.whl", ".whl"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		w, err := ParseWheel(s)
		if err != nil {
			return
		}
		name, err := w.Filename()
		if err != nil {
			t.Fatalf("ParseWheel(%q).Filename(): %v", s, err)
		}
		again, err := ParseWheel(name)
		if err != nil {
			t.Fatalf("ParseWheel(%q) (normal form of %q): %v", name, s, err)
		}
		if same, err := SameDistribution(s, name); !same || err != nil {
			t.Fatalf("SameDistribution(%q, %q) = %v, %v; want true", s, name, same, err)
		}
		if name2, _ := again.Filename(); name2 != name {
			t.Fatalf("normal form %q reparsed prints %q", name, name2)
		}
	})
}

func FuzzParseSdist(f *testing.F) {
	for _, s := range []string{"foo_bar-1.0.tar.gz", "Django-4.2.zip", "python-dateutil-2.8.2.tar.gz",
		"foo-1.0-2.tar.gz", "foo-1!1.0rc1+abc.tar.gz", "-1.0.tar.gz", "foo.tar.gz", "../foo-1.0.tar.gz"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		sd, err := ParseSdist(s)
		if err != nil {
			return
		}
		name := sd.Filename()
		again, err := ParseSdist(name)
		if err != nil {
			t.Fatalf("ParseSdist(%q) (normal form of %q): %v", name, s, err)
		}
		if again.Filename() != name {
			t.Fatalf("normal form %q reparsed prints %q", name, again.Filename())
		}
		// the same file is the normal name with the original extension
		sameExt := strings.TrimSuffix(name, ".tar.gz") + sdistExtension(s)
		if same, err := SameDistribution(s, sameExt); !same || err != nil {
			t.Fatalf("SameDistribution(%q, %q) = %v, %v; want true", s, sameExt, same, err)
		}
	})
}

func BenchmarkParseWheel(b *testing.B) {
	for b.Loop() {
		if _, err := ParseWheel("numpy-1.26.4-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseSdist(b *testing.B) {
	for b.Loop() {
		if _, err := ParseSdist("python-dateutil-2.8.2.tar.gz"); err != nil {
			b.Fatal(err)
		}
	}
}
