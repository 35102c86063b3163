package main

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/safepip/safepip/config"
	"github.com/safepip/safepip/lock"
	"github.com/safepip/safepip/project"
	"github.com/safepip/safepip/pypa/reqfile"
)

// TestGitHubAnnotation runs a command that fails on a requirements line
// as a GitHub Actions step: the error is also an ::error workflow
// command at that file and line, and the step summary says what failed.
func TestGitHubAnnotation(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	if err := os.WriteFile("requirements.txt", []byte("requests\nurllib3>=2,<\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	summary := filepath.Join(dir, "summary.md")
	if err := os.WriteFile(summary, []byte("earlier step\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	vars := map[string]string{"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": summary, "GITHUB_WORKSPACE": filepath.Dir(dir), "SAFEPIP_CACHE_DIR": filepath.Join(dir, "cache")}
	var out, errb bytes.Buffer
	e := &env{stdout: &out, stderr: &errb, args: []string{"lock", "-r", "requirements.txt"}, getenv: func(k string) (string, bool) {
		v, ok := vars[k]
		return v, ok
	}}
	if code := run(e); code != exitUsage {
		t.Fatalf("exit %d, want %d; stderr:\n%s", code, exitUsage, errb.String())
	}
	want := "::error file=" + filepath.Base(dir) + "/requirements.txt,line=2,title=safepip::" + dir + "/requirements.txt:2: "
	var found string
	for _, line := range strings.Split(errb.String(), "\n") {
		if strings.HasPrefix(line, "::error ") {
			found = line
		}
	}
	if !strings.HasPrefix(found, want) {
		t.Errorf("annotation = %q, want prefix %q; stderr:\n%s", found, want, errb.String())
	}
	data, err := os.ReadFile(summary)
	if err != nil {
		t.Fatal(err)
	}
	s := string(data)
	if !strings.HasPrefix(s, "earlier step\n### safepip `lock -r requirements.txt`: failed (exit status 2: usage or input error)\n\n```\n") ||
		!strings.Contains(s, "requirements.txt:2: \"urllib3>=2,<\"") || !strings.HasSuffix(s, "\n```\n\n") {
		t.Errorf("step summary:\n%s", s)
	}

	// Outside GitHub Actions: no workflow command, no summary.
	vars["GITHUB_ACTIONS"] = ""
	errb.Reset()
	run(e)
	if strings.Contains(errb.String(), "::error") {
		t.Errorf("workflow command outside GitHub Actions:\n%s", errb.String())
	}
	if again, _ := os.ReadFile(summary); string(again) != s {
		t.Errorf("step summary written outside GitHub Actions")
	}
}

func TestErrorPosition(t *testing.T) {
	tests := []struct {
		err  error
		file string
		line int
		ok   bool
	}{
		{&reqfile.Error{File: "req.txt", Line: 3, Err: errors.New("x")}, "req.txt", 3, true},
		{&project.InputError{Err: &config.Error{File: "requirements.txt:7", Msg: "x"}}, "requirements.txt", 7, true},
		{&config.Error{File: "safepip.toml", Line: 4, Msg: "x"}, "safepip.toml", 4, true},
		{&config.Error{File: "safepip.toml", Msg: "x"}, "safepip.toml", 0, true},
		{&lock.ParseError{File: "safepip.lock", Line: 9, Err: errors.New("x")}, "safepip.lock", 9, true},
		{&project.StaleError{Path: "/p/safepip.lock"}, "/p/safepip.lock", 0, true},
		{errors.New("no file"), "", 0, false},
	}
	for _, tt := range tests {
		file, line, ok := errorPosition(tt.err)
		if file != tt.file || line != tt.line || ok != tt.ok {
			t.Errorf("errorPosition(%v) = %q, %d, %v; want %q, %d, %v", tt.err, file, line, ok, tt.file, tt.line, tt.ok)
		}
	}
}

func TestWorkflowCommandEscaping(t *testing.T) {
	if got, want := escapeData("50% done\r\nnext"), "50%25 done%0D%0Anext"; got != want {
		t.Errorf("escapeData = %q, want %q", got, want)
	}
	if got, want := escapeProperty("a:b,c%"), "a%3Ab%2Cc%25"; got != want {
		t.Errorf("escapeProperty = %q, want %q", got, want)
	}
	if got, want := markdownCode("lock `x`"), "`` lock `x` ``"; got != want {
		t.Errorf("markdownCode = %q, want %q", got, want)
	}
}
