package config

import (
	"strings"
	"testing"

	"github.com/safepip/safepip/pypa/reqfile"
)

// fileValue is a requirements file's --no-binary (no) or --only-binary
// value at requirements.txt:line.
func fileValue(no bool, value string, line int) reqfile.FormatValue {
	return reqfile.FormatValue{NoBinary: no, Setting: reqfile.Setting{Value: value, Source: reqfile.Source{File: "requirements.txt", Line: line}}}
}

// TestFormatControl: pip's --no-binary/--only-binary across pip's
// configuration, the command line and requirements files, in pip's
// order (each value applied after the previous ones, the last naming a
// project winning) and with its precedence (a name before :all:,
// --only-binary before --no-binary), and what they do to allow-sdist.
func TestFormatControl(t *testing.T) {
	type want struct {
		noBinary   bool
		from       string // NoBinaryFrom
		sdistAllow bool
		onlyFrom   string // OnlyBinaryFrom
	}
	tests := []struct {
		name   string
		policy string // [policy] allow-sdist value; "" for none
		pip    *Pip
		flags  []FormatFlag
		files  []reqfile.FormatValue
		want   map[string]want
	}{
		{
			name: "nothing set",
			want: map[string]want{"foo": {}},
		},
		{
			name:  "pip's :all: with a command-line exception",
			pip:   &Pip{NoBinary: []PipValue{{":all:", "PIP_NO_BINARY"}}},
			flags: []FormatFlag{{NoBinary: false, Value: "Foo_Bar"}},
			want: map[string]want{
				"foo-bar": {sdistAllow: false, onlyFrom: "command line"},
				"baz":     {noBinary: true, from: "PIP_NO_BINARY", sdistAllow: true},
			},
		},
		{
			name:  "a requirements file comes after the command line",
			flags: []FormatFlag{{NoBinary: false, Value: "foo"}},
			files: []reqfile.FormatValue{fileValue(true, ":all:", 3)},
			want: map[string]want{
				"foo": {noBinary: true, from: "requirements.txt:3", sdistAllow: true},
				"bar": {noBinary: true, from: "requirements.txt:3", sdistAllow: true},
			},
		},
		{
			name:  "names after :all: need a :none: to count",
			flags: []FormatFlag{{NoBinary: true, Value: ":all:,foo"}},
			want: map[string]want{
				"foo": {noBinary: true, from: "command line", sdistAllow: true},
			},
		},
		{
			name:  ":none: clears what came before",
			pip:   &Pip{NoBinary: []PipValue{{"foo", "/etc/pip.conf:2 [global] no-binary"}}},
			flags: []FormatFlag{{NoBinary: true, Value: ":none:"}},
			want:  map[string]want{"foo": {}},
		},
		{
			name:  "the last value naming a project wins",
			flags: []FormatFlag{{NoBinary: true, Value: "foo"}, {NoBinary: false, Value: "foo"}, {NoBinary: true, Value: "bar"}},
			files: []reqfile.FormatValue{fileValue(false, "bar", 1), fileValue(true, "foo", 2)},
			want: map[string]want{
				"foo": {noBinary: true, from: "requirements.txt:2", sdistAllow: true},
				"bar": {onlyFrom: "requirements.txt:1"},
			},
		},
		{
			name:   "--only-binary :all: with a named --no-binary, over the policy",
			policy: `["x", "y"]`,
			pip:    &Pip{OnlyBinary: []PipValue{{":all:", "PIP_ONLY_BINARY"}}},
			files:  []reqfile.FormatValue{fileValue(true, "y", 1)},
			want: map[string]want{
				"x": {sdistAllow: false, onlyFrom: "PIP_ONLY_BINARY"},
				"y": {noBinary: true, from: "requirements.txt:1", sdistAllow: true},
			},
		},
		{
			name:   "--no-binary NAME allows the sdist the policy refuses",
			policy: `["x"]`,
			flags:  []FormatFlag{{NoBinary: true, Value: "y"}},
			want: map[string]want{
				"x": {sdistAllow: true},
				"y": {noBinary: true, from: "command line", sdistAllow: true},
				"z": {},
			},
		},
		{
			name:   "--no-binary takes a name out of the policy's exceptions",
			policy: `true`,
			pip:    &Pip{OnlyBinary: []PipValue{{"x", "PIP_ONLY_BINARY"}, {"y", "PIP_ONLY_BINARY"}}},
			flags:  []FormatFlag{{NoBinary: true, Value: "x"}},
			want: map[string]want{
				"x": {noBinary: true, from: "command line", sdistAllow: true},
				"y": {sdistAllow: false, onlyFrom: "PIP_ONLY_BINARY"},
				"z": {sdistAllow: true},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := Options{Pip: tt.pip, Flags: Flags{Format: tt.flags}, Format: tt.files}
			if tt.policy != "" {
				o.File = mustParse(t, "[policy]\nallow-sdist = "+tt.policy+"\n")
			}
			c, err := New(o)
			if err != nil {
				t.Fatal(err)
			}
			for name, w := range tt.want {
				if got := c.NoBinary(name); got != w.noBinary {
					t.Errorf("NoBinary(%q) = %t, want %t", name, got, w.noBinary)
				}
				if got := c.NoBinaryFrom(name); got != w.from {
					t.Errorf("NoBinaryFrom(%q) = %q, want %q", name, got, w.from)
				}
				if got := c.OnlyBinaryFrom(name); got != w.onlyFrom {
					t.Errorf("OnlyBinaryFrom(%q) = %q, want %q", name, got, w.onlyFrom)
				}
				if got := c.Policy.SdistAllowed(name); got != w.sdistAllow {
					t.Errorf("SdistAllowed(%q) = %t, want %t", name, got, w.sdistAllow)
				}
			}
		})
	}
}

func TestFormatControlErrors(t *testing.T) {
	_, err := New(Options{Flags: Flags{Format: []FormatFlag{{NoBinary: true, Value: "-x"}}}})
	if err == nil || !strings.Contains(err.Error(), "command line") || !strings.Contains(err.Error(), `--no-binary -x: the value must be ":all:", ":none:" or project names`) {
		t.Errorf("--no-binary -x: err = %v, want an error naming the command line and the value", err)
	}
}

// TestFormatControlCanonical: the format control is part of the lock's
// inputs, and leaves the digest of a configuration without it alone.
func TestFormatControlCanonical(t *testing.T) {
	canon := func(o Options) string {
		t.Helper()
		c, err := New(o)
		if err != nil {
			t.Fatal(err)
		}
		return string(c.Canonical())
	}
	none := canon(Options{})
	if strings.Contains(none, "\nformat ") {
		t.Errorf("Canonical without format control writes it:\n%s", none)
	}
	no := canon(Options{Flags: Flags{Format: []FormatFlag{{NoBinary: true, Value: "Foo_Bar"}}}})
	if !strings.Contains(no, `format no-binary=["foo-bar"]`) || !strings.Contains(no, `allow-sdist=["foo-bar"]`) {
		t.Errorf("Canonical with --no-binary Foo_Bar lacks it:\n%s", no)
	}
	// where a value was given does not count
	fromFile := canon(Options{Format: []reqfile.FormatValue{fileValue(true, "foo-bar", 4)}})
	if fromFile != no {
		t.Errorf("Canonical differs by where --no-binary was given:\n%s\nvs\n%s", fromFile, no)
	}
	only := canon(Options{Pip: &Pip{OnlyBinary: []PipValue{{":all:", "PIP_ONLY_BINARY"}}}})
	if !strings.Contains(only, `format only-binary=[":all:"]`) {
		t.Errorf("Canonical with --only-binary :all: lacks it:\n%s", only)
	}
}
