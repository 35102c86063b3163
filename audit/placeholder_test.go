package audit

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"github.com/pelletier/go-toml/v2"

	"github.com/safepip/safepip/pypa/metadata"
	"github.com/safepip/safepip/pypa/pep440"
	"github.com/safepip/safepip/pypa/wheel"
)

const testOwner = "Acme security team <security@acme.example>"

func TestPlaceholderNames(t *testing.T) {
	for _, tc := range []struct {
		name, version                    string
		wantWheel, wantSdist, wantModule string
	}{
		{"acme-triton", "", "acme_triton-0.0.0a0-py3-none-any.whl", "acme_triton-0.0.0a0.tar.gz", "acme_triton"},
		{"Acme.Triton", "0.0.0a0", "acme_triton-0.0.0a0-py3-none-any.whl", "acme_triton-0.0.0a0.tar.gz", "acme_triton"},
		{"ACME__internal--lib", "0.0.1", "acme_internal_lib-0.0.1-py3-none-any.whl", "acme_internal_lib-0.0.1.tar.gz", "acme_internal_lib"},
		{"x", "0.0.0.dev0", "x-0.0.0.dev0-py3-none-any.whl", "x-0.0.0.dev0.tar.gz", "x"},
		{"torchtriton", "0.0.0-alpha", "torchtriton-0.0.0a0-py3-none-any.whl", "torchtriton-0.0.0a0.tar.gz", "torchtriton"},
		{"a1", "v0.0.1", "a1-0.0.1-py3-none-any.whl", "a1-0.0.1.tar.gz", "a1"},
	} {
		p, err := BuildPlaceholder(PlaceholderOptions{Name: tc.name, Version: tc.version, Owner: testOwner})
		if err != nil {
			t.Errorf("BuildPlaceholder(%q, %q): %v", tc.name, tc.version, err)
			continue
		}
		if p.Wheel.Filename != tc.wantWheel || p.Sdist.Filename != tc.wantSdist || p.Module != tc.wantModule {
			t.Errorf("BuildPlaceholder(%q, %q) = %s, %s, module %s; want %s, %s, %s", tc.name, tc.version,
				p.Wheel.Filename, p.Sdist.Filename, p.Module, tc.wantWheel, tc.wantSdist, tc.wantModule)
		}
		// The names must be what every reader parses back (PEP 427, 625).
		w, err := wheel.ParseWheel(p.Wheel.Filename)
		if err != nil {
			t.Errorf("%s: %v", p.Wheel.Filename, err)
		} else if w.Name != p.Name || w.Version.String() != p.Version || len(w.Tags) != 1 || w.Tags[0].String() != "py3-none-any" {
			t.Errorf("%s parses as %s %s %v", p.Wheel.Filename, w.Name, w.Version, w.Tags)
		}
		s, err := wheel.ParseSdist(p.Sdist.Filename)
		if err != nil {
			t.Errorf("%s: %v", p.Sdist.Filename, err)
		} else if s.Name != p.Name || s.Version.String() != p.Version || s.Filename() != p.Sdist.Filename {
			t.Errorf("%s parses as %s %s, PEP 625 form %s", p.Sdist.Filename, s.Name, s.Version, s.Filename())
		}
	}
}

func TestPlaceholderRefuses(t *testing.T) {
	for _, tc := range []struct {
		o     PlaceholderOptions
		field string
	}{
		{PlaceholderOptions{Name: ""}, "name"},
		{PlaceholderOptions{Name: "-acme"}, "name"},
		{PlaceholderOptions{Name: "acme triton"}, "name"},
		{PlaceholderOptions{Name: "../etc"}, "name"},
		{PlaceholderOptions{Name: "acmé"}, "name"},
		{PlaceholderOptions{Name: "acme", Version: "one"}, "version"},
		{PlaceholderOptions{Name: "acme", Version: "0.0.0+local"}, "version"},
		{PlaceholderOptions{Name: "acme", Owner: "Acme\nEvil-Header: 1"}, "owner"},
		{PlaceholderOptions{Name: "acme", Message: "bell\a"}, "message"},
	} {
		_, err := BuildPlaceholder(tc.o)
		var pe *PlaceholderError
		if !errors.As(err, &pe) || pe.Field != tc.field {
			t.Errorf("BuildPlaceholder(%+v) = %v, want a *PlaceholderError on %s", tc.o, err, tc.field)
		}
	}
}

func TestPlaceholderDeterministic(t *testing.T) {
	o := PlaceholderOptions{Name: "acme-triton", Owner: testOwner}
	a, errA := BuildPlaceholder(o)
	b, errB := BuildPlaceholder(o)
	if err := errors.Join(errA, errB); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Wheel.Data, b.Wheel.Data) || !bytes.Equal(a.Sdist.Data, b.Sdist.Data) {
		t.Errorf("two builds with the same options differ")
	}
}

// TestPlaceholderWheel opens the wheel as an installer would: every member
// is in RECORD with its urlsafe-base64 sha256 (no padding) and size,
// RECORD itself last with empty fields, WHEEL says py3-none-any, and the
// METADATA says who reserves the name and why.
func TestPlaceholderWheel(t *testing.T) {
	p, err := BuildPlaceholder(PlaceholderOptions{Name: "Acme.Triton", Owner: testOwner})
	if err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(p.Wheel.Data), int64(len(p.Wheel.Data)))
	if err != nil {
		t.Fatal(err)
	}
	info := "acme_triton-0.0.0a0.dist-info/"
	files := map[string][]byte{}
	var order []string
	for _, f := range zr.File {
		if !f.Modified.Equal(archiveTime) {
			t.Errorf("%s: time %v, want the fixed %v", f.Name, f.Modified, archiveTime)
		}
		if f.Mode().Perm() != 0o644 {
			t.Errorf("%s: mode %v", f.Name, f.Mode())
		}
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatalf("%s: %v", f.Name, err)
		}
		files[f.Name] = data
		order = append(order, f.Name)
	}
	wantMembers := []string{"acme_triton/__init__.py", info + "METADATA", info + "WHEEL", info + "RECORD"}
	if strings.Join(order, " ") != strings.Join(wantMembers, " ") {
		t.Errorf("members %v, want %v", order, wantMembers)
	}
	recorded := map[string]bool{}
	lines := strings.Split(strings.TrimSuffix(string(files[info+"RECORD"]), "\n"), "\n")
	for i, line := range lines {
		fields := strings.Split(line, ",")
		if len(fields) != 3 {
			t.Errorf("RECORD line %q: want 3 fields", line)
			continue
		}
		name := fields[0]
		recorded[name] = true
		if name == info+"RECORD" {
			if fields[1] != "" || fields[2] != "" || i != len(lines)-1 {
				t.Errorf("RECORD's own line %q: want empty hash and size, last", line)
			}
			continue
		}
		data, ok := files[name]
		if !ok {
			t.Errorf("RECORD lists %s, which the wheel lacks", name)
			continue
		}
		sum := sha256.Sum256(data)
		if want := "sha256=" + base64.RawURLEncoding.EncodeToString(sum[:]); fields[1] != want {
			t.Errorf("RECORD %s: hash %s, want %s", name, fields[1], want)
		}
		if fields[2] != strconv.Itoa(len(data)) {
			t.Errorf("RECORD %s: size %s, want %d", name, fields[2], len(data))
		}
	}
	for name := range files {
		if !recorded[name] {
			t.Errorf("%s is not in RECORD", name)
		}
	}
	wi, err := metadata.ParseWheel(info+"WHEEL", files[info+"WHEEL"])
	if err != nil {
		t.Fatal(err)
	}
	if !wi.RootIsPurelib || len(wi.Tags) != 1 || wi.Tags[0] != "py3-none-any" {
		t.Errorf("WHEEL = %+v, want purelib py3-none-any", wi)
	}
	checkMetadata(t, files[info+"METADATA"], "Acme.Triton", p)
}

func checkMetadata(t *testing.T, data []byte, name string, p *Placeholder) {
	t.Helper()
	md, err := metadata.Parse("METADATA", data)
	if err != nil {
		t.Fatal(err)
	}
	if mv, err := pep440.Parse(md.MetadataVersion); err != nil || mv.Compare(pep440.MustParse("2.1")) < 0 {
		t.Errorf("Metadata-Version %s, want 2.1 or later", md.MetadataVersion)
	}
	if md.Name != name || md.Version.String() != p.Version {
		t.Errorf("METADATA names %s %s, want %s %s", md.Name, md.Version, name, p.Version)
	}
	for _, want := range []string{"Reserved name", testOwner, "dependency confusion"} {
		if !strings.Contains(md.Summary, want) {
			t.Errorf("Summary %q does not say %q", md.Summary, want)
		}
	}
	for _, want := range []string{testOwner, "dependency confusion", "PEP 541", p.Module, "contact " + testOwner} {
		if !strings.Contains(md.Description, want) {
			t.Errorf("description does not say %q:\n%s", want, md.Description)
		}
	}
}

// TestPlaceholderSdist opens the sdist: one top directory named as the
// file (PEP 625), PKG-INFO equal to the wheel's METADATA, a pyproject.toml
// whose in-tree backend needs nothing, and the same module.
func TestPlaceholderSdist(t *testing.T) {
	p, err := BuildPlaceholder(PlaceholderOptions{Name: "acme-triton", Version: "0.0.1", Owner: testOwner})
	if err != nil {
		t.Fatal(err)
	}
	gz, err := gzip.NewReader(bytes.NewReader(p.Sdist.Data))
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(gz)
	root := strings.TrimSuffix(p.Sdist.Filename, ".tar.gz") + "/"
	files := map[string][]byte{}
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(h.Name, root) || h.Typeflag != tar.TypeReg || !h.ModTime.Equal(archiveTime) || h.Uid != 0 || h.Uname != "" {
			t.Errorf("member %s (type %c, time %v, owner %d %q): want a plain file under %s with fixed time and owner", h.Name, h.Typeflag, h.ModTime, h.Uid, h.Uname, root)
		}
		data, err := io.ReadAll(tr)
		if err != nil {
			t.Fatal(err)
		}
		files[strings.TrimPrefix(h.Name, root)] = data
	}
	for _, want := range []string{"PKG-INFO", "pyproject.toml", backendModule + ".py", "acme_triton/__init__.py"} {
		if files[want] == nil {
			t.Errorf("sdist lacks %s", want)
		}
	}
	checkMetadata(t, files["PKG-INFO"], "acme-triton", p)
	var py struct {
		BuildSystem struct {
			Requires     []string `toml:"requires"`
			BuildBackend string   `toml:"build-backend"`
			BackendPath  []string `toml:"backend-path"`
		} `toml:"build-system"`
		Project struct {
			Name, Version, Description string
		} `toml:"project"`
	}
	if err := toml.Unmarshal(files["pyproject.toml"], &py); err != nil {
		t.Fatalf("pyproject.toml: %v\n%s", err, files["pyproject.toml"])
	}
	bs := py.BuildSystem
	if len(bs.Requires) != 0 || bs.BuildBackend != backendModule || len(bs.BackendPath) != 1 || bs.BackendPath[0] != "." {
		t.Errorf("[build-system] = %+v, want the in-tree backend with no requirements", bs)
	}
	if py.Project.Name != "acme-triton" || py.Project.Version != "0.0.1" || !strings.Contains(py.Project.Description, testOwner) {
		t.Errorf("[project] = %+v", py.Project)
	}
}

// TestPlaceholderMessageInPython imports each message's module source in
// one python3 process and compares the ImportError's text with the
// message: quotes, backslashes, line breaks and non-ASCII survive.
func TestPlaceholderMessageInPython(t *testing.T) {
	python, err := exec.LookPath("python3")
	if err != nil {
		t.Fatal("python3 not found")
	}
	messages := []string{
		"",
		`say "hi" and 'bye'`,
		`C:\new\table \x00 \N{BULLET}`,
		"line one\nline two",
		"réservé — 予約済み 🚫",
		`"""triple""" ''' {} %s`,
	}
	var sources, want []string
	for _, m := range messages {
		p, err := BuildPlaceholder(PlaceholderOptions{Name: "acme", Owner: "O'Brien \"Ops\" \\ team", Message: m})
		if err != nil {
			t.Fatal(err)
		}
		zr, err := zip.NewReader(bytes.NewReader(p.Wheel.Data), int64(len(p.Wheel.Data)))
		if err != nil {
			t.Fatal(err)
		}
		rc, err := zr.Open("acme/__init__.py")
		if err != nil {
			t.Fatal(err)
		}
		src, _ := io.ReadAll(rc)
		rc.Close()
		sources = append(sources, string(src))
		want = append(want, p.Message)
	}
	in, _ := json.Marshal(sources)
	script := `
import json, sys
out = []
for src in json.load(sys.stdin):
    try:
        exec(compile(src, "acme/__init__.py", "exec"), {})
        out.append(None)
    except ImportError as e:
        out.append(str(e))
json.dump(out, sys.stdout)
`
	cmd := exec.Command(python, "-c", script)
	cmd.Stdin = bytes.NewReader(in)
	outb, err := cmd.Output()
	if err != nil {
		t.Fatalf("python3: %v", err)
	}
	var got []*string
	if err := json.Unmarshal(outb, &got); err != nil {
		t.Fatal(err)
	}
	for i := range want {
		if got[i] == nil || *got[i] != want[i] {
			t.Errorf("message %q: import raised %v, want ImportError(%q)", messages[i], got[i], want[i])
		}
	}
	t.Logf("compared %d messages with python3", len(want))
}

func FuzzBuildPlaceholder(f *testing.F) {
	f.Add("acme-triton", "0.0.0a0", testOwner, "")
	f.Add("A.b_C", "1!0.0.0.post1", "", "line\nbreak")
	f.Add("-x", "0+local", "a\nb", "\x00")
	f.Fuzz(func(t *testing.T, name, version, owner, message string) {
		p, err := BuildPlaceholder(PlaceholderOptions{Name: name, Version: version, Owner: owner, Message: message})
		if err != nil {
			return
		}
		if _, err := wheel.ParseWheel(p.Wheel.Filename); err != nil {
			t.Errorf("built wheel name %q does not parse: %v", p.Wheel.Filename, err)
		}
		if _, err := wheel.ParseSdist(p.Sdist.Filename); err != nil {
			t.Errorf("built sdist name %q does not parse: %v", p.Sdist.Filename, err)
		}
		if _, err := metadata.Parse("PKG-INFO", []byte(placeholderMetadata(name, p.Version, p.Module, owner, p.Message))); err != nil {
			t.Errorf("metadata does not parse: %v", err)
		}
	})
}
