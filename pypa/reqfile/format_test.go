package reqfile

import (
	"errors"
	"maps"
	"slices"
	"strings"
	"testing"
)

// TestFormatControl checks Handle against pip's handle_mutual_excludes:
// each step is "no:VALUE" (--no-binary) or "only:VALUE" (--only-binary).
func TestFormatControl(t *testing.T) {
	tests := []struct {
		steps      []string
		no, only   string // sorted names, comma-separated
		firstSetBy string // the step that first put "a" in its set ("" none)
	}{
		{steps: []string{"no:A_b,c"}, no: "a-b,c"},
		{steps: []string{"no:a", "only:a"}, only: "a", firstSetBy: "only:a"},
		{steps: []string{"no:a,b", "only::all:"}, only: ":all:"},
		{steps: []string{"no::all:,a"}, no: ":all:"}, // names after :all: count only with :none:
		{steps: []string{"no::all:,:none:,a"}, no: "a", firstSetBy: "no::all:,:none:,a"},
		{steps: []string{"no:a", "no:b,:none:,c"}, no: "c"},
		{steps: []string{"only:x", "no:a", "no:a"}, no: "a", only: "x", firstSetBy: "no:a"},
	}
	for _, tt := range tests {
		var f FormatControl[string]
		for _, s := range tt.steps {
			kind, value, _ := strings.Cut(s, ":")
			err := f.Handle(kind == "no", value, func(name, old string, had bool) string {
				if had {
					return old
				}
				return s
			})
			if err != nil {
				t.Fatalf("%q: %v", tt.steps, err)
			}
		}
		names := func(m map[string]string) string { return strings.Join(slices.Sorted(maps.Keys(m)), ",") }
		if got := names(f.NoBinary); got != tt.no {
			t.Errorf("%q: no-binary %q, want %q", tt.steps, got, tt.no)
		}
		if got := names(f.OnlyBinary); got != tt.only {
			t.Errorf("%q: only-binary %q, want %q", tt.steps, got, tt.only)
		}
		if tt.firstSetBy != "" {
			by := f.NoBinary["a"] + f.OnlyBinary["a"]
			if by != tt.firstSetBy {
				t.Errorf("%q: a set by %q, want %q", tt.steps, by, tt.firstSetBy)
			}
		}
	}
	var f FormatControl[string]
	if err := f.Handle(true, "-x", nil); !errors.Is(err, ErrFormatValue) {
		t.Errorf("Handle(-x) = %v, want ErrFormatValue", err)
	}
}
