package pep508

import (
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/safepip/safepip/pypa/pep440"
)

// Requirement is one parsed PEP 508 dependency specification.
type Requirement struct {
	Name      string              // as written; NormalizeName for comparisons
	Extras    []string            // as written, in order
	Specifier pep440.SpecifierSet // empty for "any version" and for URL requirements
	URL       string              // "name @ url", verbatim; "" otherwise
	Marker    *Marker             // nil when there is no marker
}

// ParseRequirement parses one requirement such as
// `requests[socks]>=2.0; python_version >= "3.8"`.
func ParseRequirement(s string) (Requirement, error) {
	if len(s) > maxInputBytes {
		return Requirement{}, syntaxError("requirement", s, maxInputBytes,
			"longer than 32 KiB; no real requirement is this long")
	}
	sc := &scanner{kind: "requirement", in: s}
	sc.skipSpace()
	name, ok := sc.identifier()
	if !ok {
		return Requirement{}, sc.errorf(sc.pos, "expected package name at the start of dependency specifier")
	}
	r := Requirement{Name: name}

	save := sc.pos
	sc.skipSpace()
	if sc.peek("[") {
		extras, err := sc.extras()
		if err != nil {
			return Requirement{}, err
		}
		r.Extras = extras
	} else {
		sc.pos = save
	}

	save = sc.pos
	sc.skipSpace()
	after := "after name and no valid version specifier"
	if sc.accept("@") {
		sc.skipSpace()
		start := sc.pos
		// The URL runs to the next space: packaging 21.3 expands tabs to
		// spaces first, so a tab ends it too. A ";" does not.
		for sc.pos < len(s) && s[sc.pos] != ' ' && s[sc.pos] != '\t' {
			sc.pos++
		}
		if sc.pos == start {
			return Requirement{}, sc.errorf(start, "expected URL after @")
		}
		r.URL = s[start:sc.pos]
		if msg := checkURL(r.URL); msg != "" {
			return Requirement{}, sc.errorf(start, msg)
		}
		after = "after URL and whitespace"
	} else {
		sc.pos = save
		spec, found, err := sc.versionSpec()
		if err != nil {
			return Requirement{}, err
		}
		r.Specifier = spec
		if found {
			after = "after version specifier"
		}
	}

	save = sc.pos
	sc.skipSpace()
	if sc.accept(";") {
		root, err := sc.markerExpr(0)
		if err != nil {
			return Requirement{}, err
		}
		r.Marker = &Marker{root: root}
		after = "after marker"
	} else {
		sc.pos = save
	}
	sc.skipSpace()
	if !sc.atEnd() {
		if after == "after marker" {
			return Requirement{}, sc.errorf(sc.pos, `expected "and", "or" or end (after marker)`)
		}
		return Requirement{}, sc.errorf(sc.pos, "expected end or semicolon ("+after+")")
	}
	return r, nil
}

// extras parses `"[" (extra ("," extra)*)? "]"` at the current "[".
func (s *scanner) extras() ([]string, error) {
	s.pos++ // "["
	s.skipSpace()
	if s.accept("]") {
		return nil, nil
	}
	var extras []string
	for {
		s.skipSpace()
		x, ok := s.identifier()
		if !ok {
			return nil, s.errorf(s.pos, "expected extra name (letters, digits, -, _ and .)")
		}
		extras = append(extras, x)
		s.skipSpace()
		if s.accept("]") {
			return extras, nil
		}
		if !s.accept(",") {
			return nil, s.errorf(s.pos, `expected "," between extra names or "]" after them`)
		}
	}
}

// versionSpec parses the optional version specifier after the name and
// extras: clauses separated by commas, optionally in parentheses. found
// reports whether there was one.
func (s *scanner) versionSpec() (spec pep440.SpecifierSet, found bool, err error) {
	save := s.pos
	s.skipSpace()
	start := s.pos
	var clauses []string
	if s.accept("(") {
		var ok bool
		clauses, ok = s.versionMany()
		if !ok {
			return nil, false, s.errorf(s.pos, "expected version specifier such as >=1.0 after \"(\"")
		}
		s.skipSpace()
		if !s.accept(")") {
			return nil, false, s.errorf(s.pos, `expected ")" to close "(" at byte `+strconv.Itoa(start)+` (after version specifier)`)
		}
	} else {
		var ok bool
		clauses, ok = s.versionMany()
		if !ok {
			s.pos = save
			return nil, false, nil
		}
	}
	// Joined like packaging 21.3 joins them, then split and parsed by pep440.
	raw := strings.Join(clauses, ",")
	spec, perr := pep440.ParseSpecifierSet(raw)
	if perr != nil {
		e := s.errorf(start, "invalid version specifier")
		e.Err = perr
		return nil, false, e
	}
	return spec, true, nil
}

// versionMany parses `clause ("," clause)*` and returns each clause's text.
func (s *scanner) versionMany() ([]string, bool) {
	s.skipSpace()
	c, ok := s.versionOne()
	if !ok {
		return nil, false
	}
	clauses := []string{c}
	for {
		save := s.pos
		s.skipSpace()
		if !s.accept(",") {
			s.pos = save
			return clauses, true
		}
		s.skipSpace()
		c, ok := s.versionOne()
		if !ok {
			s.pos = save
			return clauses, true
		}
		clauses = append(clauses, c)
	}
}

// compatibleClause is packaging 21.3's pattern for a "~=" clause, whose
// version needs two release numbers; \s is spelled out as Python's.
var compatibleClause = regexp.MustCompile(`^(?i)~=` + pySpaceClass + `*` +
	`v?(?:[0-9]+!)?[0-9]+(?:\.[0-9]+)+` +
	`(?:[-_\.]?(?:a|b|c|rc|alpha|beta|pre|preview)[-_\.]?[0-9]*)?` +
	`(?:(?:-[0-9]+)|(?:[-_\.]?(?:post|rev|r)[-_\.]?[0-9]*))?` +
	`(?:[-_\.]?dev[-_\.]?[0-9]*)?`)

// pySpaceClass is Python's \s for str patterns as a Go character class.
const pySpaceClass = `[\t\n\v\f\r \x1c-\x1f\x{85}\x{a0}\x{1680}\x{2000}-\x{200a}\x{2028}\x{2029}\x{202f}\x{205f}\x{3000}]`

// clauseOps are the operators a clause other than "===" and "~=" may
// start with, in packaging 21.3's order ("<=" before "<").
var clauseOps = [...]string{"==", "!=", "<=", ">=", "<", ">"}

// versionOne scans one clause as packaging 21.3's grammar does: the longer
// match of its PEP 440 pattern and its legacy pattern. For "===" that is
// the operator and everything up to whitespace; for "~=" the PEP 440
// pattern; for the others the legacy one, an operator and everything up to
// whitespace, ",", ";" or ")". pep440 then rejects what is not PEP 440.
func (s *scanner) versionOne() (string, bool) {
	rest := s.in[s.pos:]
	n := 0
	switch {
	case strings.HasPrefix(rest, "==="):
		n = 3 + pySpaceLen(rest[3:])
		n += runLen(rest[n:], func(r rune) bool { return !isPySpace(r) })
	case strings.HasPrefix(rest, "~="):
		loc := compatibleClause.FindStringIndex(rest)
		if loc == nil {
			return "", false
		}
		n = loc[1]
	default:
		for _, op := range clauseOps {
			if strings.HasPrefix(rest, op) {
				n = len(op)
				break
			}
		}
		if n == 0 {
			return "", false
		}
		n += pySpaceLen(rest[n:])
		n += runLen(rest[n:], func(r rune) bool {
			return r != ',' && r != ';' && r != ')' && !isPySpace(r)
		})
	}
	s.pos += n
	return rest[:n], true
}

// String returns the requirement in packaging 21.3's spelling: extras
// sorted and deduplicated, the specifier set normalized, "name@ url" with
// the URL verbatim, and "; " before the marker (" ; " after a URL or a
// "===" clause).
func (r Requirement) String() string {
	var b strings.Builder
	b.WriteString(r.Name)
	if len(r.Extras) > 0 {
		extras := append([]string(nil), r.Extras...)
		sort.Strings(extras)
		b.WriteByte('[')
		for i, x := range extras {
			if i > 0 && x == extras[i-1] {
				continue
			}
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(x)
		}
		b.WriteByte(']')
	}
	if len(r.Specifier) > 0 {
		b.WriteString(r.Specifier.String())
	}
	marker := r.Marker.String()
	if r.URL != "" {
		b.WriteString("@ ")
		b.WriteString(r.URL)
		if marker != "" {
			b.WriteByte(' ')
		}
	}
	if marker != "" && r.URL == "" && hasArbitrary(r.Specifier) {
		// "===" takes everything up to whitespace, ";" included, so
		// 21.3's "name===x; marker" would not parse back.
		b.WriteByte(' ')
	}
	if marker != "" {
		b.WriteString("; ")
		b.WriteString(marker)
	}
	return b.String()
}

func hasArbitrary(set pep440.SpecifierSet) bool {
	for _, sp := range set {
		if sp.Op == "===" {
			return true
		}
	}
	return false
}
