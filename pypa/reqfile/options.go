package reqfile

import (
	"errors"
	"fmt"
	"sort"
	"strings"
)

// breakArgsOptions splits a line at its first space-separated word starting
// with "-": the words before are the requirement, the rest the options
// (pip's break_args_options; only " " separates words here, as in pip).
func breakArgsOptions(s string) (args, options string) {
	words := strings.Split(s, " ")
	for i, w := range words {
		if strings.HasPrefix(w, "-") {
			return strings.Join(words[:i], " "), strings.Join(words[i:], " ")
		}
	}
	return s, ""
}

// shellSplit splits s into words as Python's shlex.split(s) does in POSIX
// mode without comments: words separated by space, tab, CR and LF; single
// quotes keep everything; double quotes keep everything but a backslash
// before '"' or '\'; outside quotes a backslash escapes the next character.
func shellSplit(s string) ([]string, error) {
	var words []string
	var word strings.Builder
	inWord := false
	const (
		plain = iota
		single
		double
	)
	state := plain
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch state {
		case single:
			if c == '\'' {
				state = plain
			} else {
				word.WriteByte(c)
			}
		case double:
			switch {
			case c == '"':
				state = plain
			case c == '\\' && i+1 < len(s) && (s[i+1] == '"' || s[i+1] == '\\'):
				i++
				word.WriteByte(s[i])
			case c == '\\' && i+1 >= len(s):
				return nil, errors.New("no closing quotation")
			default:
				word.WriteByte(c)
			}
		default:
			switch c {
			case ' ', '\t', '\r', '\n':
				if inWord {
					words = append(words, word.String())
					word.Reset()
					inWord = false
				}
			case '\'':
				inWord, state = true, single
			case '"':
				inWord, state = true, double
			case '\\':
				if i+1 >= len(s) {
					return nil, errors.New("no escaped character after the final backslash")
				}
				i++
				inWord = true
				word.WriteByte(s[i])
			default:
				inWord = true
				word.WriteByte(c)
			}
		}
	}
	if state != plain {
		return nil, errors.New("no closing quotation")
	}
	if inWord {
		words = append(words, word.String())
	}
	return words, nil
}

// optKind is what an option does with its value.
type optKind int

const (
	optFlag       optKind = iota // takes no value
	optValue                     // takes one value
	optFeature                   // takes one of featureChoices
	optNoBinary                  // --no-binary
	optOnlyBinary                // --only-binary
)

// optSpec is one option pip accepts in a requirements file.
type optSpec struct {
	dest  string   // pip's optparse dest, the key of lineOptions.values
	names []string // spellings, short ones first
	kind  optKind
}

// fileOptions are pip's SUPPORTED_OPTIONS and SUPPORTED_OPTIONS_REQ.
var fileOptions = []optSpec{
	{"index_url", []string{"-i", "--index-url", "--pypi-url"}, optValue},
	{"extra_index_urls", []string{"--extra-index-url"}, optValue},
	{"no_index", []string{"--no-index"}, optFlag},
	{"constraints", []string{"-c", "--constraint"}, optValue},
	{"requirements", []string{"-r", "--requirement"}, optValue},
	{"editables", []string{"-e", "--editable"}, optValue},
	{"find_links", []string{"-f", "--find-links"}, optValue},
	{"no_binary", []string{"--no-binary"}, optNoBinary},
	{"only_binary", []string{"--only-binary"}, optOnlyBinary},
	{"prefer_binary", []string{"--prefer-binary"}, optFlag},
	{"require_hashes", []string{"--require-hashes"}, optFlag},
	{"pre", []string{"--pre"}, optFlag},
	{"trusted_hosts", []string{"--trusted-host"}, optValue},
	{"features_enabled", []string{"--use-feature"}, optFeature},
	{"global_options", []string{"--global-option"}, optValue},
	{"hashes", []string{"--hash"}, optValue},
	{"config_settings", []string{"-C", "--config-settings"}, optValue},
}

// featureChoices are the values pip 23.2.1 accepts for --use-feature.
var featureChoices = []string{"fast-deps", "truststore", "no-binary-enable-wheel-cache"}

var (
	shortOptions = map[string]*optSpec{}
	longOptions  = map[string]*optSpec{}
)

func init() {
	for i := range fileOptions {
		o := &fileOptions[i]
		for _, n := range o.names {
			if strings.HasPrefix(n, "--") {
				longOptions[n] = o
			} else {
				shortOptions[n] = o
			}
		}
	}
}

// optValueUse is one use of an option on a line.
type optValueUse struct {
	spec  *optSpec
	name  string // the spelling used, abbreviations expanded
	value string
}

// parseOptions reads words as Python's optparse does with pip's option
// table: long options may be abbreviated to a unique prefix and take their
// value after "=" or as the next word; short options take the rest of the
// word or the next word; "--" ends the options; other words are ignored, as
// pip ignores optparse's leftover arguments.
func parseOptions(words []string) ([]optValueUse, error) {
	var uses []optValueUse
	for len(words) > 0 {
		w := words[0]
		words = words[1:]
		switch {
		case w == "--":
			return uses, nil
		case strings.HasPrefix(w, "--"):
			name, value, explicit := strings.Cut(w, "=")
			full, err := matchLong(name)
			if err != nil {
				return nil, err
			}
			spec := longOptions[full]
			if spec.kind == optFlag {
				if explicit {
					return nil, fmt.Errorf("%s option does not take a value", full)
				}
				uses = append(uses, optValueUse{spec, full, ""})
				continue
			}
			if !explicit {
				if len(words) == 0 {
					return nil, fmt.Errorf("%s option requires 1 argument", full)
				}
				value, words = words[0], words[1:]
			}
			uses = append(uses, optValueUse{spec, full, value})
		case strings.HasPrefix(w, "-") && len(w) > 1:
			// Every short option pip accepts in a file takes a value, so a
			// cluster is one option and the rest of the word is its value.
			name := w[:2]
			if w[1] >= 0x80 { // one character, not one byte, as Python sees it
				r := []rune(w[1:])
				name = "-" + string(r[0])
			}
			spec, ok := shortOptions[name]
			if !ok {
				return nil, fmt.Errorf("no such option: %s", name)
			}
			value := w[len(name):]
			if value == "" {
				if len(words) == 0 {
					return nil, fmt.Errorf("%s option requires 1 argument", name)
				}
				value, words = words[0], words[1:]
			}
			uses = append(uses, optValueUse{spec, name, value})
		}
	}
	return uses, nil
}

// matchLong returns the long option name is a unique abbreviation of.
func matchLong(name string) (string, error) {
	if _, ok := longOptions[name]; ok {
		return name, nil
	}
	var found []string
	for n := range longOptions {
		if strings.HasPrefix(n, name) {
			found = append(found, n)
		}
	}
	sort.Strings(found)
	switch len(found) {
	case 0:
		return "", fmt.Errorf("no such option: %s", name)
	case 1:
		return found[0], nil
	}
	return "", fmt.Errorf("ambiguous option: %s could be %s", name, strings.Join(found, ", "))
}
