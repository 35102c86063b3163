package wheel

import (
	"bytes"
	"encoding/json"
	"os/exec"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/safepip/safepip/pypa/pep440"
)

// differentialScript parses each filename with packaging 21.3 and prints
// [name, version, [build number, build rest] or [], sorted tags] for a
// wheel, [name, version] for an sdist, or null when packaging rejects it.
const differentialScript = `import json, sys
from pip._vendor.packaging.utils import parse_sdist_filename, parse_wheel_filename
out = []
for f in json.load(sys.stdin):
    try:
        if f.endswith(".whl"):
            name, version, build, tags = parse_wheel_filename(f)
            out.append([name, str(version), list(build), sorted(str(t) for t in tags)])
        else:
            name, version = parse_sdist_filename(f)
            out.append([name, str(version)])
    except Exception:
        out.append(None)
json.dump(out, sys.stdout)
`

// generatedFilenames combines good and bad names, versions, build tags,
// tags and extensions into wheel and sdist filenames.
func generatedFilenames() []string {
	names := []string{"foo", "Foo_Bar", "foo.bar", "zope.interface", "a", "x1", "foo__bar", "_foo", "foo_", "",
		"foo-bar", "fé", "foo bar", "foo..bar", "1foo"}
	versions := []string{"1.0", "1.0.0", "v1.0", "1.0_post1", "1!2.0", "1.0+local.1", "1.0RC1", "1.0.dev0",
		"bad", "", "1.0-1", "1..0", "01.02", " 1.0", "1.0+l_o"}
	builds := []string{"", "1", "01", "1abc", "abc", "1.2", "1_x", "١"}
	tagSets := []string{"py3-none-any", "py2.py3-none-any", "cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64",
		"PY3-NONE-ANY", "py3-none", "py3..py2-none-any", "py3-none-any-x", "py3-nöne-any", "py3.-none-any"}
	var out []string
	for _, n := range names {
		for _, v := range versions {
			for _, b := range builds {
				for _, tg := range tagSets {
					s := n + "-" + v
					if b != "" {
						s += "-" + b
					}
					out = append(out, s+"-"+tg+".whl")
				}
			}
			out = append(out, n+"-"+v+".tar.gz", n+"-"+v+".zip", n+"-"+v+".tar.bz2", n+"-"+v+".TAR.GZ")
		}
	}
	return append(out, "../foo-1.0-py3-none-any.whl", "dir/foo-1.0.tar.gz", `dir\foo-1.0.tar.gz`, ".whl", ".tar.gz",
		"foo.tar.gz", "foo-1.0-2.tar.gz", "foo-bar-1.0.tar.gz", "foo-2-1.0.tar.gz", "foo-1.0-1-2.tar.gz")
}

var (
	safeFilenameRE = regexp.MustCompile(`^[A-Za-z0-9._+!-]*$`)
	projectNameRE  = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?$`)
	buildRE        = regexp.MustCompile(`^[0-9]+[A-Za-z0-9_]*$`)
	tagPartRE      = regexp.MustCompile(`^[A-Za-z0-9_]+(\.[A-Za-z0-9_]+)*$`)
)

// stricterThanPackaging reports whether f breaks one of the rules, listed
// in the package doc, that we add to packaging 21.3; it is written apart
// from the parser so that the test checks the parser against the doc.
func stricterThanPackaging(f string) bool {
	if !safeFilenameRE.MatchString(f) || strings.Contains(f, "..") {
		return true
	}
	if stem, ok := strings.CutSuffix(f, ".whl"); ok {
		parts := strings.Split(stem, "-")
		if !projectNameRE.MatchString(parts[0]) {
			return true
		}
		if _, err := pep440.Parse(parts[1]); err != nil {
			return true // pep440 documents its own stricter rules
		}
		if len(parts) == 6 && !buildRE.MatchString(parts[2]) {
			return true
		}
		for _, p := range parts[len(parts)-3:] {
			if !tagPartRE.MatchString(p) {
				return true
			}
		}
		return false
	}
	stem := strings.TrimSuffix(strings.TrimSuffix(f, ".tar.gz"), ".zip")
	dash := strings.LastIndex(stem, "-")
	if !projectNameRE.MatchString(stem[:dash]) {
		return true
	}
	if _, err := pep440.Parse(stem[dash+1:]); err != nil {
		return true
	}
	valid := 0 // splits into a valid name and version
	for i := range stem {
		if stem[i] == '-' && projectNameRE.MatchString(stem[:i]) {
			if _, err := pep440.Parse(stem[i+1:]); err == nil {
				valid++
			}
		}
	}
	return valid > 1
}

func TestFilenamesDifferential(t *testing.T) {
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Fatal("python3 not found; the differential test needs it")
	}
	inputs := generatedFilenames()
	in, _ := json.Marshal(inputs)
	cmd := exec.Command(py, "-c", differentialScript)
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.Output()
	if err != nil {
		if strings.Contains(stderr.String(), "No module named") {
			t.Fatal("pip._vendor.packaging not importable; the differential test needs it")
		}
		t.Fatalf("python3: %v\n%s", err, stderr.String())
	}
	var want []json.RawMessage
	if err := json.Unmarshal(stdout, &want); err != nil || len(want) != len(inputs) {
		t.Fatalf("decoding python3 output: %v (%d results for %d inputs)", err, len(want), len(inputs))
	}
	agreedOK, agreedErr, stricter := 0, 0, 0
	for i, f := range inputs {
		var got []any
		var gotErr error
		if strings.HasSuffix(f, ".whl") {
			var w Wheel
			w, gotErr = ParseWheel(f)
			if gotErr == nil {
				build := []any{}
				if w.Build != "" {
					number, rest := splitBuild(w.Build)
					build = []any{json.Number(number), rest}
				}
				ts := strings.Fields(tagList(w.Tags))
				sort.Strings(ts)
				got = []any{w.Name, w.Version.String(), build, ts}
			}
		} else {
			var s Sdist
			s, gotErr = ParseSdist(f)
			if gotErr == nil {
				got = []any{s.Name, s.Version.String()}
			}
		}
		rejected := string(want[i]) == "null"
		switch {
		case rejected && gotErr != nil:
			agreedErr++
		case rejected:
			t.Errorf("%q: we accept %v, packaging 21.3 rejects it", f, got)
		case gotErr != nil && stricterThanPackaging(f):
			stricter++
		case gotErr != nil:
			t.Errorf("%q: %v; packaging 21.3 gives %s", f, gotErr, want[i])
		default:
			g, _ := json.Marshal(got)
			if !slices.Equal(g, compact(want[i])) {
				t.Errorf("%q: we give %s, packaging 21.3 %s", f, g, want[i])
			}
			agreedOK++
		}
	}
	t.Logf("compared %d filenames with packaging 21.3: %d parsed alike, %d rejected by both, %d rejected only by our stricter rules",
		len(inputs), agreedOK, agreedErr, stricter)
	if agreedOK < 1000 {
		t.Errorf("only %d filenames parsed alike; the generator lost its valid cases", agreedOK)
	}
}

func compact(raw json.RawMessage) []byte {
	var b bytes.Buffer
	if err := json.Compact(&b, raw); err != nil {
		return raw
	}
	return b.Bytes()
}
