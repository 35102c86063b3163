package reqfile

import (
	"errors"
	"slices"
	"strings"

	"github.com/safepip/safepip/pypa/pep508"
)

// FormatControl is pip's FormatControl: the names (normalized, or
// ":all:") that --no-binary and --only-binary have given, each name in at
// most one of the two sets, with a value of the caller's choosing (where
// the name was set). The zero value is empty and ready to use. It is the
// one rule behind a requirements file's options (Parse) and pip's
// configuration (config.ReadPip).
type FormatControl[V any] struct {
	NoBinary, OnlyBinary map[string]V
}

// ErrFormatValue is Handle's error for a value pip takes for a missing
// argument: one starting with "-".
var ErrFormatValue = errors.New(`the value must be ":all:", ":none:" or project names separated by commas`)

// Handle applies one --no-binary (noBinary true) or --only-binary value,
// as pip's FormatControl.handle_mutual_excludes does: the value is split
// at commas; ":all:" empties both sets and puts ":all:" in the target, and
// the names after it count only when a ":none:" follows; ":none:" empties
// the target; any other name moves into the target, out of the other set.
// put returns what the target stores for name, given what it held (had:
// the name was there already).
func (f *FormatControl[V]) Handle(noBinary bool, value string, put func(name string, old V, had bool) V) error {
	if strings.HasPrefix(value, "-") {
		return ErrFormatValue
	}
	if f.NoBinary == nil {
		f.NoBinary = map[string]V{}
	}
	if f.OnlyBinary == nil {
		f.OnlyBinary = map[string]V{}
	}
	target, other := f.OnlyBinary, f.NoBinary
	if noBinary {
		target, other = f.NoBinary, f.OnlyBinary
	}
	add := func(name string) {
		old, had := target[name]
		target[name] = put(name, old, had)
	}
	names := strings.Split(value, ",")
	for {
		i := slices.Index(names, ":all:")
		if i < 0 {
			break
		}
		clear(other)
		clear(target)
		add(":all:")
		names = names[i+1:]
		if !slices.Contains(names, ":none:") {
			return nil
		}
	}
	for _, n := range names {
		if n == ":none:" {
			clear(target)
			continue
		}
		n = pep508.NormalizeName(n)
		delete(other, n)
		add(n)
	}
	return nil
}

// FormatValue is one --no-binary (NoBinary) or --only-binary value as
// written, with its line: GlobalOptions.FormatValues keeps them in file
// order, so that a caller can apply them to a FormatControl that pip's
// configuration has filled first, as pip does.
type FormatValue struct {
	NoBinary bool
	Setting
}
