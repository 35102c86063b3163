package config

import (
	"strings"
	"testing"
)

func TestMatchPattern(t *testing.T) {
	tests := []struct {
		pattern, name string
		want          bool
	}{
		{"acme-auth", "acme-auth", true},
		{"acme-auth", "acme-auth2", false},
		{"acme-*", "acme-", true},
		{"acme-*", "acme-triton", true},
		{"acme-*", "acme", false},
		{"acme-*", "xacme-triton", false},
		{"*-triton", "acme-triton", true},
		{"*-triton", "triton", false},
		{"a*b*c", "abc", true},
		{"a*b*c", "axxbyyc", true},
		{"a*b*c", "axxbyy", false},
		{"a*b*c", "acb", false},
		{"lib-?", "lib-x", true},
		{"lib-?", "lib-", false},
		{"lib-?", "lib-xy", false},
		{"*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", false},
		{"**", "", true},
		{"?*", "", false},
	}
	for _, tt := range tests {
		if got := matchPattern(tt.pattern, tt.name); got != tt.want {
			t.Errorf("matchPattern(%q, %q) = %v, want %v", tt.pattern, tt.name, got, tt.want)
		}
	}
}

func TestNormalizePattern(t *testing.T) {
	tests := []struct{ in, want, err string }{
		{"Acme_*", "acme-*", ""},
		{"torch.Triton", "torch-triton", ""},
		{"a__-b", "a-b", ""},
		{"lib-?", "lib-?", ""},
		{"", "", "empty pattern"},
		{"*", "", "matches every project"},
		{"*-*", "", "matches every project"},
		{"?*", "", "matches every project"},
		{"acme/x", "", "wildcards"},
		{"acme-[ab]", "", "wildcards"},
		{"acme x", "", "wildcards"},
	}
	for _, tt := range tests {
		got, err := normalizePattern(tt.in)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("normalizePattern(%q) = %q, %v; want error %q", tt.in, got, err, tt.err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("normalizePattern(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

func TestOverlap(t *testing.T) {
	tests := []struct {
		a, b    string
		example string // "" when disjoint
	}{
		{"acme-*", "*-triton", "acme-triton"},
		{"acme-*", "acme-auth", "acme-auth"},
		{"acme-*", "acmex-*", ""},
		{"x", "x", "x"},
		{"x", "y", ""},
		{"lib-?", "lib-??", ""},
		{"lib-?", "lib-*", "lib-x"},
		{"a*", "*b", "ab"},
		{"a*c", "a*d", ""},
		{"*a*", "*b*", "ab"},
	}
	for _, tt := range tests {
		got, ok := overlap(tt.a, tt.b)
		if ok != (tt.example != "") || got != tt.example {
			t.Errorf("overlap(%q, %q) = %q, %v; want %q", tt.a, tt.b, got, ok, tt.example)
		}
		if ok && (!matchPattern(tt.a, got) || !matchPattern(tt.b, got)) {
			t.Errorf("overlap(%q, %q) example %q does not match both", tt.a, tt.b, got)
		}
		if got2, ok2 := overlap(tt.b, tt.a); ok2 != ok || len(got2) != len(got) {
			t.Errorf("overlap is not symmetric for %q, %q: %q vs %q", tt.a, tt.b, got, got2)
		}
	}
}

// FuzzOverlap checks overlap against matchPattern: an example matches both
// patterns, and a name matching both means overlap says so.
func FuzzOverlap(f *testing.F) {
	f.Add("acme-*", "*-triton", "acme-triton")
	f.Add("a?c", "*c", "abc")
	f.Add("x*y*z", "*y", "xyzy")
	f.Fuzz(func(t *testing.T, a, b, name string) {
		a, errA := normalizePattern(a)
		b, errB := normalizePattern(b)
		if errA != nil || errB != nil || len(a) > 40 || len(b) > 40 {
			return
		}
		ex, ok := overlap(a, b)
		if ok && (!matchPattern(a, ex) || !matchPattern(b, ex)) {
			t.Fatalf("overlap(%q, %q) = %q, which does not match both", a, b, ex)
		}
		if matchPattern(a, name) && matchPattern(b, name) && !ok {
			t.Fatalf("%q matches %q and %q, but overlap says they are disjoint", name, a, b)
		}
	})
}
