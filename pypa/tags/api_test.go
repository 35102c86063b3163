package tags

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"
)

func tagStrings(ts []Tag) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = t.String()
	}
	return out
}

func TestParseTag(t *testing.T) {
	tests := []struct {
		in   string
		want string // space-separated tags, or "error: <substring>"
	}{
		{"py3-none-any", "py3-none-any"},
		{"py2.py3-none-any", "py2-none-any py3-none-any"},
		{"PY3-None-ANY", "py3-none-any"},
		{"cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64",
			"cp311-cp311-manylinux_2_17_x86_64 cp311-cp311-manylinux2014_x86_64"},
		{"cp38.cp39-abi3.none-win32.win_amd64",
			"cp38-abi3-win32 cp38-abi3-win_amd64 cp38-none-win32 cp38-none-win_amd64 " +
				"cp39-abi3-win32 cp39-abi3-win_amd64 cp39-none-win32 cp39-none-win_amd64"},
		{"py3.PY3-none-any", "py3-none-any"},
		{"pp310-pypy310_pp73-macosx_10_9_x86_64", "pp310-pypy310_pp73-macosx_10_9_x86_64"},
		{"py3-none", "error: found 2 dash-separated parts"},
		{"py3-none-any-x", "error: found 4 dash-separated parts"},
		{"", "error: found 1"},
		{"py3..py2-none-any", "error: empty component"},
		{"py3-none-", "error: empty component"},
		{".py3-none-any", "error: empty component"},
		{"py3-none-linux/x86_64", `error: character '/' not allowed`},
		{"py3-none-any ", `error: character ' ' not allowed`},
		{"py3-nöne-any", `error: not allowed`},
		{"py3-none-" + strings.Repeat("a.", 4096) + "a", "error: expands to 4097 tags"},
	}
	for _, tt := range tests {
		got, err := ParseTag(tt.in)
		if want, ok := strings.CutPrefix(tt.want, "error: "); ok {
			var te *TagError
			if !errors.As(err, &te) || !strings.Contains(err.Error(), want) || te.Tag != tt.in {
				t.Errorf("ParseTag(%q) = %v, %v; want *TagError containing %q", tt.in, got, err, want)
			}
			continue
		}
		if err != nil || strings.Join(tagStrings(got), " ") != tt.want {
			t.Errorf("ParseTag(%q) = %v, %v; want %s", tt.in, tagStrings(got), err, tt.want)
		}
	}
}

// generatedTags combines tag components, good and bad, into compressed tags.
func generatedTags() []string {
	comps := []string{"py3", "PY2", "cp311", "none", "abi3", "any", "manylinux_2_17_x86_64", "win_amd64",
		"", "a+b", "x y", "é", "cp3_11", "Linux_X86_64"}
	var out []string
	for i, a := range comps {
		for j, b := range comps {
			for k, c := range comps {
				if (i+j+k)%3 != 0 {
					continue
				}
				out = append(out, a+"-"+b+"-"+c, a+"."+b+"-"+c+"-"+a, a+"-"+b+"."+c+"."+a+"-any")
			}
		}
	}
	return append(out, "py3-none", "a-b-c-d", "", "-", "--", "py3-none-any-")
}

// stricterThanPackaging reports whether s breaks a rule ParseTag adds to
// packaging 21.3's parse_tag: no empty component, only ASCII letters, digits
// and "_" in components.
func stricterThanPackaging(s string) bool {
	for _, part := range strings.Split(s, "-") {
		for _, c := range strings.Split(part, ".") {
			if c == "" || strings.Trim(c, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") != "" {
				return true
			}
		}
	}
	return false
}

const parseTagScript = `import json, sys
from pip._vendor.packaging.tags import parse_tag
out = []
for s in json.load(sys.stdin):
    try:
        out.append(sorted(str(t) for t in parse_tag(s)))
    except ValueError:
        out.append(None)
json.dump(out, sys.stdout)
`

func TestParseTagDifferential(t *testing.T) {
	t.Parallel()
	inputs := generatedTags()
	var want [][]string
	runPython(t, parseTagScript, inputs, &want)
	agreed, stricter := 0, 0
	for i, s := range inputs {
		got, err := ParseTag(s)
		switch {
		case want[i] == nil && err != nil:
			agreed++
		case want[i] == nil:
			t.Errorf("ParseTag(%q) = %v, packaging rejects it", s, tagStrings(got))
		case err != nil && stricterThanPackaging(s):
			stricter++
		case err != nil:
			t.Errorf("ParseTag(%q): %v; packaging gives %v", s, err, want[i])
		default:
			g := tagStrings(got)
			sort.Strings(g)
			if !slices.Equal(g, want[i]) {
				t.Errorf("ParseTag(%q) = %v, packaging %v", s, g, want[i])
			}
			agreed++
		}
	}
	t.Logf("compared %d tags with packaging 21.3 parse_tag: %d agree, %d rejected only by our stricter rules", len(inputs), agreed, stricter)
}

func TestParsePlatform(t *testing.T) {
	tests := []struct {
		in   string
		want Platform
		err  string
	}{
		{in: "manylinux_2_28_x86_64", want: Platform{OS: Linux, Arch: "x86_64", Glibc: [2]int{2, 28}}},
		{in: "manylinux2014_aarch64", want: Platform{OS: Linux, Arch: "aarch64", Glibc: [2]int{2, 17}}},
		{in: "manylinux2010_i686", want: Platform{OS: Linux, Arch: "i686", Glibc: [2]int{2, 12}}},
		{in: "manylinux1_x86_64", want: Platform{OS: Linux, Arch: "x86_64", Glibc: [2]int{2, 5}}},
		{in: "MANYLINUX_2_17_S390X", want: Platform{OS: Linux, Arch: "s390x", Glibc: [2]int{2, 17}}},
		{in: "musllinux_1_2_aarch64", want: Platform{OS: Linux, Arch: "aarch64", Musl: [2]int{1, 2}}},
		{in: "linux_x86_64", want: Platform{OS: Linux, Arch: "x86_64"}},
		{in: "linux_riscv64", want: Platform{OS: Linux, Arch: "riscv64"}},
		{in: "macosx_14_0_arm64", want: Platform{OS: MacOS, Arch: "arm64", MacVersion: [2]int{14, 0}}},
		{in: "macosx_10_9_x86_64", want: Platform{OS: MacOS, Arch: "x86_64", MacVersion: [2]int{10, 9}}},
		{in: "win_amd64", want: Platform{OS: Windows, Arch: "amd64"}},
		{in: "win32", want: Platform{OS: Windows, Arch: "x86"}},
		{in: "win_arm64", want: Platform{OS: Windows, Arch: "arm64"}},
		{in: "manylinux_2_28_riscv64", err: "no manylinux tags for riscv64"},
		{in: "manylinux_2_16_aarch64", err: "starts at glibc 2.17"},
		{in: "manylinux_2_4_x86_64", err: "starts at glibc 2.5"},
		{in: "manylinux_2_100_x86_64", err: "out of range"},
		{in: "manylinux_2_x_x86_64", err: "want manylinux_<major>_<minor>_<arch>"},
		{in: "manylinux_2_28_", err: "architecture"},
		{in: "musllinux_2_0_x86_64", err: "want 1.x"},
		{in: "macosx_11_0_universal2", err: "not universal2"},
		{in: "macosx_10_17_x86_64", err: "out of range"},
		{in: "macosx_9_0_x86_64", err: "out of range"},
		{in: "win_x86", err: "unknown Windows architecture"},
		{in: "any", err: "unknown platform"},
		{in: "linux_x86-64", err: "architecture"},
		{in: "", err: "unknown platform"},
	}
	for _, tt := range tests {
		got, err := ParsePlatform(tt.in)
		if tt.err != "" {
			var pe *PlatformError
			if !errors.As(err, &pe) || !strings.Contains(err.Error(), tt.err) || pe.Platform != tt.in {
				t.Errorf("ParsePlatform(%q) = %+v, %v; want *PlatformError containing %q", tt.in, got, err, tt.err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ParsePlatform(%q) = %+v, %v; want %+v", tt.in, got, err, tt.want)
			continue
		}
		// the newest tag of the machine is its first or, for legacy
		// aliases, the manylinux_x_y spelling right before it
		if tags := got.Tags(); !slices.Contains(tags, strings.ToLower(tt.in)) {
			t.Errorf("ParsePlatform(%q).Tags() = %v, missing the tag itself", tt.in, tags)
		}
		if again, err := ParsePlatform(got.String()); err != nil || again != got {
			t.Errorf("ParsePlatform(%q) = %+v, %v; want %+v", got.String(), again, err, got)
		}
	}
}

func TestPlatformTags(t *testing.T) {
	tests := []struct {
		p    Platform
		want string
	}{
		{Platform{OS: Linux, Arch: "x86_64", Glibc: [2]int{2, 18}},
			"manylinux_2_18_x86_64 manylinux_2_17_x86_64 manylinux2014_x86_64 manylinux_2_16_x86_64 manylinux_2_15_x86_64 " +
				"manylinux_2_14_x86_64 manylinux_2_13_x86_64 manylinux_2_12_x86_64 manylinux2010_x86_64 manylinux_2_11_x86_64 " +
				"manylinux_2_10_x86_64 manylinux_2_9_x86_64 manylinux_2_8_x86_64 manylinux_2_7_x86_64 manylinux_2_6_x86_64 " +
				"manylinux_2_5_x86_64 manylinux1_x86_64 linux_x86_64"},
		{Platform{OS: Linux, Arch: "aarch64", Glibc: [2]int{2, 17}}, "manylinux_2_17_aarch64 manylinux2014_aarch64 linux_aarch64"},
		{Platform{OS: Linux, Arch: "aarch64", Musl: [2]int{1, 2}}, "musllinux_1_2_aarch64 musllinux_1_1_aarch64 musllinux_1_0_aarch64 linux_aarch64"},
		{Platform{OS: MacOS, Arch: "arm64", MacVersion: [2]int{12, 3}},
			"macosx_12_0_arm64 macosx_12_0_universal2 macosx_11_0_arm64 macosx_11_0_universal2 " +
				"macosx_10_16_universal2 macosx_10_15_universal2 macosx_10_14_universal2 macosx_10_13_universal2 " +
				"macosx_10_12_universal2 macosx_10_11_universal2 macosx_10_10_universal2 macosx_10_9_universal2 " +
				"macosx_10_8_universal2 macosx_10_7_universal2 macosx_10_6_universal2 macosx_10_5_universal2 macosx_10_4_universal2"},
		{Platform{OS: MacOS, Arch: "x86_64", MacVersion: [2]int{10, 4}},
			"macosx_10_4_x86_64 macosx_10_4_intel macosx_10_4_fat64 macosx_10_4_fat32 macosx_10_4_universal2 macosx_10_4_universal"},
		{Platform{OS: Windows, Arch: "x86"}, "win32"},
		{Platform{OS: Other, Tag: "freebsd_14_0_release_amd64"}, "freebsd_14_0_release_amd64"},
		{Platform{OS: Linux, Arch: "riscv64", Glibc: [2]int{2, 35}}, ""}, // invalid: no manylinux for riscv64 in 21.3
		{Platform{OS: "plan9"}, ""},
	}
	for _, tt := range tests {
		if got := strings.Join(tt.p.Tags(), " "); got != tt.want {
			t.Errorf("%+v.Tags() = %s\nwant %s", tt.p, got, tt.want)
		}
	}
}

func TestParsePythonVersion(t *testing.T) {
	tests := []struct {
		in   string
		want [2]int
		ok   bool
	}{
		{"3.11", [2]int{3, 11}, true},
		{"3.8", [2]int{3, 8}, true},
		{"3.12.4", [2]int{3, 12}, true},
		{"311", [2]int{3, 11}, true},
		{"38", [2]int{3, 8}, true},
		{"3", [2]int{}, false},
		{"2.7", [2]int{}, false},
		{"3.", [2]int{}, false},
		{"3.x", [2]int{}, false},
		{"3.11rc1", [2]int{}, false},
		{" 3.11", [2]int{}, false},
	}
	for _, tt := range tests {
		got, err := ParsePythonVersion(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("ParsePythonVersion(%q) = %v, %v; want %v, ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

func TestTargetTagsSpecialBuilds(t *testing.T) {
	linux := Platform{OS: Linux, Arch: "x86_64"}
	tests := []struct {
		target Target
		want   string // the tags that use a platform other than "any", then "|", the count of the rest
	}{
		// free-threaded: own ABI, no abi3 (packaging 24+)
		{Target{Implementation: "cp", Python: [2]int{3, 13}, FreeThreaded: true, Platform: linux},
			"cp313-cp313t-linux_x86_64 cp313-none-linux_x86_64 py313-none-linux_x86_64"},
		{Target{Implementation: "cp", Python: [2]int{3, 13}, FreeThreaded: true, Debug: true, Platform: linux},
			"cp313-cp313td-linux_x86_64 cp313-cp313t-linux_x86_64 cp313-none-linux_x86_64 py313-none-linux_x86_64"},
		{Target{Implementation: "cp", Python: [2]int{3, 13}, ABIs: []string{"cp313t"}, Platform: linux},
			"cp313-cp313t-linux_x86_64 cp313-none-linux_x86_64 py313-none-linux_x86_64"},
		{Target{Implementation: "cp", Python: [2]int{3, 4}, Platform: linux},
			"cp34-cp34m-linux_x86_64 cp34-abi3-linux_x86_64 cp34-none-linux_x86_64 cp33-abi3-linux_x86_64 cp32-abi3-linux_x86_64 py34-none-linux_x86_64"},
	}
	for _, tt := range tests {
		got := tagStrings(tt.target.Tags())
		n := min(len(strings.Fields(tt.want)), len(got))
		if strings.Join(got[:n], " ") != tt.want {
			t.Errorf("%v.Tags() starts %v\nwant %s", tt.target, got[:n], tt.want)
		}
	}
	for _, bad := range []Target{
		{Implementation: "cp", Python: [2]int{3, 12}, FreeThreaded: true, Platform: linux},
		{Implementation: "pp", Python: [2]int{3, 13}, FreeThreaded: true, Platform: linux},
		{Implementation: "cp", Python: [2]int{2, 7}, Platform: linux},
		{Implementation: "cp", Python: [2]int{3, 100}, Platform: linux},
		{Implementation: "cp311", Python: [2]int{3, 11}, Platform: linux},
		{Implementation: "", Python: [2]int{3, 11}, Platform: linux},
		{Implementation: "pp", Python: [2]int{3, 10}, ABIs: []string{"pypy310-pp73"}, Platform: linux},
		{Implementation: "cp", Python: [2]int{3, 11}},
	} {
		var te *TargetError
		if err := bad.Validate(); !errors.As(err, &te) {
			t.Errorf("%+v.Validate() = %v, want *TargetError", bad, err)
		}
		if got := bad.Tags(); got != nil {
			t.Errorf("%+v.Tags() = %d tags, want nil for an invalid target", bad, len(got))
		}
	}
}

func TestRanking(t *testing.T) {
	target := Target{Implementation: "cp", Python: [2]int{3, 11}, Platform: Platform{OS: Linux, Arch: "x86_64", Glibc: [2]int{2, 28}}}
	r := target.Ranking()
	mustTags := func(s string) []Tag {
		ts, err := ParseTag(s)
		if err != nil {
			t.Fatal(err)
		}
		return ts
	}
	// one ascending table, checked pairwise: each wheel is preferred over the next
	ordered := []string{
		"cp311-cp311-manylinux_2_28_x86_64",
		"cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64",
		"cp311-cp311-linux_x86_64",
		"cp311-abi3-manylinux_2_28_x86_64",
		"cp311-none-manylinux_2_5_x86_64",
		"cp38-abi3-manylinux2014_x86_64",
		"py311-none-manylinux1_x86_64",
		"py3-none-linux_x86_64",
		"py311-none-any",
		"py2.py3-none-any",
		"py30-none-any",
	}
	prev := -1
	for _, s := range ordered {
		p, ok := r.Best(mustTags(s))
		if !ok || p <= prev {
			t.Errorf("Best(%s) = %d, %v; want supported and after %d", s, p, ok, prev)
		}
		prev = p
	}
	for _, s := range []string{"cp312-cp312-manylinux_2_28_x86_64", "cp311-cp311-manylinux_2_29_x86_64",
		"cp311-cp311-musllinux_1_2_x86_64", "py2-none-any", "cp311-abi3-win_amd64", "cp311-cp311d-linux_x86_64"} {
		if p, ok := r.Best(mustTags(s)); ok {
			t.Errorf("Best(%s) = %d, want unsupported", s, p)
		}
	}
	if p, ok := r.Priority(Tag{"cp311", "cp311", "manylinux_2_28_x86_64"}); !ok || p != 0 {
		t.Errorf("Priority(best tag) = %d, %v; want 0, true", p, ok)
	}
	if n := r.Len(); n != len(target.Tags()) {
		t.Errorf("Len() = %d, want %d (no duplicates)", n, len(target.Tags()))
	}
	dup := NewRanking([]Tag{{"a", "b", "c"}, {"d", "e", "f"}, {"a", "b", "c"}})
	if p, _ := dup.Priority(Tag{"a", "b", "c"}); p != 0 || dup.Len() != 2 {
		t.Errorf("a duplicate keeps its first rank: got %d, Len %d", p, dup.Len())
	}
}

func TestTargetFromFacts(t *testing.T) {
	one, zero := 1, 0
	tests := []struct {
		name  string
		facts Facts
		want  string // Target.String()
		abis  string
	}{
		{"glibc", Facts{Implementation: "cpython", Version: [2]int{3, 12}, PyDebug: &zero, System: "Linux",
			SysconfigPlatform: "linux-x86_64", Glibc: "glibc 2.35"}, "cp3.12 on manylinux_2_35_x86_64", ""},
		{"linaro glibc", Facts{Implementation: "cpython", Version: [2]int{3, 12}, PyDebug: &zero, System: "Linux",
			SysconfigPlatform: "linux-aarch64", Glibc: "glibc 2.20-2014.11"}, "cp3.12 on manylinux_2_20_aarch64", ""},
		{"old glibc aarch64", Facts{Implementation: "cpython", Version: [2]int{3, 12}, System: "Linux",
			SysconfigPlatform: "linux-aarch64", Glibc: "glibc 2.16"}, "cp3.12 on linux_aarch64", ""},
		{"32-bit on 64-bit", Facts{Implementation: "cpython", Version: [2]int{3, 9}, System: "Linux", Is32Bit: true,
			SysconfigPlatform: "linux-x86_64", Glibc: "glibc 2.31"}, "cp3.9 on manylinux_2_31_i686", ""},
		{"musl", Facts{Implementation: "cpython", Version: [2]int{3, 11}, System: "Linux",
			SysconfigPlatform: "linux-aarch64", Musl: "1.2"}, "cp3.11 on musllinux_1_2_aarch64", ""},
		{"debug by refcount", Facts{Implementation: "cpython", Version: [2]int{3, 11}, HasTotalRefcount: true, System: "Linux",
			SysconfigPlatform: "linux-x86_64"}, "cp3.11d on linux_x86_64", ""},
		{"windows debug ext", Facts{Implementation: "cpython", Version: [2]int{3, 11}, ExtensionSuffixes: []string{"_d.pyd"},
			System: "Windows", SysconfigPlatform: "win-amd64"}, "cp3.11d on win_amd64", ""},
		{"free-threaded", Facts{Implementation: "cpython", Version: [2]int{3, 13}, PyDebug: &zero, PyGILDisabled: &one,
			System: "Darwin", MacVersion: "14.2.1", MacMachine: "arm64"}, "cp3.13t on macosx_14_2_arm64", ""},
		{"no pymalloc", Facts{Implementation: "cpython", Version: [2]int{3, 7}, PyDebug: &zero, WithPymalloc: &zero,
			System: "Windows", SysconfigPlatform: "win32"}, "cp3.7 on win32", "cp37"},
		{"pypy", Facts{Implementation: "pypy", Version: [2]int{3, 10}, SOABI: "pypy310-pp73", System: "Darwin",
			MacVersion: "10.16", MacMachine: "x86_64"}, "pp3.10 on macosx_10_16_x86_64", "pypy310_pp73"},
		{"freebsd", Facts{Implementation: "cpython", Version: [2]int{3, 11}, PyDebug: &zero, System: "FreeBSD",
			SysconfigPlatform: "freebsd-14.0-RELEASE-amd64"}, "cp3.11 on freebsd_14_0_release_amd64", ""},
	}
	for _, tt := range tests {
		got, err := TargetFromFacts(tt.facts)
		if err != nil || got.String() != tt.want || strings.Join(got.ABIs, " ") != tt.abis {
			t.Errorf("%s: TargetFromFacts = %v (ABIs %v), %v; want %s (ABIs %q)", tt.name, got, got.ABIs, err, tt.want, tt.abis)
		}
	}
	for _, bad := range []Facts{
		{Implementation: "cpython", Version: [2]int{2, 7}, System: "Linux", SysconfigPlatform: "linux-x86_64"},
		{Implementation: "cpython", Version: [2]int{3, 11}, System: "Darwin", MacVersion: "", MacMachine: "arm64"},
		{Implementation: "cpython", Version: [2]int{3, 11}, System: "Darwin", MacVersion: "14.0", MacMachine: "sparc"},
		{Implementation: "cpython", Version: [2]int{3, 11}, System: "Linux", SysconfigPlatform: "linux-x86 64"},
	} {
		if got, err := TargetFromFacts(bad); err == nil {
			t.Errorf("TargetFromFacts(%+v) = %v, want an error", bad, got)
		}
	}
}

func FuzzParseTag(f *testing.F) {
	for _, s := range []string{"py3-none-any", "py2.py3-none-any", "cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64",
		"PP310-PyPy310_pp73-WIN_AMD64", "py3..py2-none-any", "a-b-c-d", "-", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := ParseTag(s)
		if err != nil {
			return
		}
		if len(got) == 0 || len(got) > maxExpandedTags {
			t.Fatalf("ParseTag(%q) gave %d tags", s, len(got))
		}
		// each expanded tag is in normal form: it parses to itself
		for _, tag := range got {
			again, err := ParseTag(tag.String())
			if err != nil || len(again) != 1 || again[0] != tag {
				t.Fatalf("ParseTag(%q) = %v, %v; want [%v]", tag, again, err, tag)
			}
		}
	})
}

func FuzzParsePlatform(f *testing.F) {
	for _, s := range []string{"manylinux_2_28_x86_64", "manylinux2014_aarch64", "musllinux_1_2_x86_64", "linux_riscv64",
		"macosx_14_0_arm64", "macosx_10_9_x86_64", "win_amd64", "win32", "manylinux_2_999_x86_64", "any"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParsePlatform(s)
		if err != nil {
			return
		}
		tags := p.Tags()
		if len(tags) == 0 || len(tags) > 1000 {
			t.Fatalf("ParsePlatform(%q).Tags() has %d tags", s, len(tags))
		}
		if again, err := ParsePlatform(p.String()); err != nil || again != p {
			t.Fatalf("ParsePlatform(%q) = %+v, %v; want %+v", p.String(), again, err, p)
		}
	})
}

func BenchmarkTargetTags(b *testing.B) {
	target := Target{Implementation: "cp", Python: [2]int{3, 13}, Platform: Platform{OS: Linux, Arch: "x86_64", Glibc: [2]int{2, 39}}}
	n := 0
	for b.Loop() {
		n = len(target.Tags())
	}
	b.ReportMetric(float64(n), "tags/op")
}

func BenchmarkRanking(b *testing.B) {
	target := Target{Implementation: "cp", Python: [2]int{3, 12}, Platform: Platform{OS: MacOS, Arch: "arm64", MacVersion: [2]int{14, 0}}}
	r := target.Ranking()
	wheel, _ := ParseTag("cp312-cp312-macosx_10_9_universal2")
	for b.Loop() {
		r.Best(wheel)
	}
}

func ExampleTarget_Tags() {
	python, _ := ParsePythonVersion("3.11")
	platform, _ := ParsePlatform("manylinux_2_28_x86_64")
	target := Target{Implementation: "cp", Python: python, Platform: platform}
	tags := target.Tags()
	fmt.Println(len(tags))
	fmt.Println(tags[0])
	fmt.Println(tags[len(tags)-1])
	// Output:
	// 713
	// cp311-cp311-manylinux_2_28_x86_64
	// py30-none-any
}
