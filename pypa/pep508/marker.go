package pep508

import (
	"strconv"
	"strings"
)

// Marker is a parsed environment marker expression. A nil *Marker (a
// requirement without one) is valid: it prints as "" and evaluates to true.
type Marker struct {
	root *expr
}

// expr is a chain of terms joined by "and" and "or", as written: "and"
// binds tighter, which evaluation applies. Keeping the chain flat and the
// parentheses as groups lets String print what packaging prints.
type expr struct {
	terms []term
	ops   []string // ops[i] joins terms[i] and terms[i+1]: "and" or "or"
}

// term is one comparison or one parenthesized expression.
type term struct {
	cmp   *comparison
	group *expr
}

// comparison is `lhs op rhs`; PEP 508 wants one side a variable and the
// other a quoted string, but its grammar (and packaging) accepts any pair.
type comparison struct {
	lhs, rhs operand
	op       string
}

// operand is a marker variable (by its canonical name) or a string value.
type operand struct {
	text  string
	isVar bool
}

// markerVariables lists every variable name packaging 21.3 accepts.
// None is a prefix of another, so matching them as literals is unambiguous.
var markerVariables = [...]string{
	"implementation_version",
	"platform_python_implementation",
	"implementation_name",
	"python_full_version",
	"platform_release",
	"platform_version",
	"platform_machine",
	"platform_system",
	"python_version",
	"sys_platform",
	"os_name",
	"os.name",                        // PEP 345
	"sys.platform",                   // PEP 345
	"platform.version",               // PEP 345
	"platform.machine",               // PEP 345
	"platform.python_implementation", // PEP 345
	"python_implementation",          // setuptools legacy
	"extra",
}

// canonicalVariable maps the deprecated spellings to their PEP 508 names.
func canonicalVariable(name string) string {
	switch name {
	case "os.name":
		return "os_name"
	case "sys.platform":
		return "sys_platform"
	case "platform.version":
		return "platform_version"
	case "platform.machine":
		return "platform_machine"
	case "platform.python_implementation", "python_implementation":
		return "platform_python_implementation"
	}
	return name
}

// markerOps lists the operators in the order packaging 21.3 tries them, so
// that "===" wins over "==" and ">=" over ">". "not in" is handled apart.
var markerOps = [...]string{"===", "==", ">=", "<=", "!=", "~=", ">", "<"}

// ParseMarker parses a marker expression such as `os_name == "nt" and extra == "x"`.
func ParseMarker(s string) (*Marker, error) {
	if len(s) > maxInputBytes {
		return nil, syntaxError("marker", s, maxInputBytes,
			"longer than 32 KiB; no real marker is this long")
	}
	sc := &scanner{kind: "marker", in: s}
	root, err := sc.markerExpr(0)
	if err != nil {
		return nil, err
	}
	sc.skipSpace()
	if !sc.atEnd() {
		return nil, sc.errorf(sc.pos, `expected "and", "or" or end of marker`)
	}
	return &Marker{root: root}, nil
}

// markerExpr parses `term (("and" | "or") term)*`.
func (s *scanner) markerExpr(depth int) (*expr, error) {
	e := &expr{}
	for {
		t, err := s.markerTerm(depth)
		if err != nil {
			return nil, err
		}
		e.terms = append(e.terms, t)
		save := s.pos
		s.skipSpace()
		// Like packaging 21.3, "and" needs no space after it: `"a"=="a"andos_name=="b"`.
		switch {
		case s.accept("and"):
			e.ops = append(e.ops, "and")
		case s.accept("or"):
			e.ops = append(e.ops, "or")
		default:
			s.pos = save
			return e, nil
		}
	}
}

func (s *scanner) markerTerm(depth int) (term, error) {
	s.skipSpace()
	if s.peek("(") {
		open := s.pos
		if depth >= maxMarkerDepth {
			return term{}, s.errorf(open, "parentheses nested more than 64 deep")
		}
		s.pos++
		inner, err := s.markerExpr(depth + 1)
		if err != nil {
			return term{}, err
		}
		s.skipSpace()
		if !s.accept(")") {
			return term{}, s.errorf(s.pos, `expected ")" to close "(" at byte `+strconv.Itoa(open))
		}
		return term{group: inner}, nil
	}
	c, err := s.comparison()
	if err != nil {
		return term{}, err
	}
	return term{cmp: c}, nil
}

func (s *scanner) comparison() (*comparison, error) {
	lhs, err := s.operand()
	if err != nil {
		return nil, err
	}
	s.skipSpace()
	op, ok := s.markerOp()
	if !ok {
		return nil, s.errorf(s.pos, "expected marker operator, one of <=, <, !=, ==, >=, >, ~=, ===, in, not in")
	}
	rhs, err := s.operand()
	if err != nil {
		return nil, err
	}
	return &comparison{lhs: lhs, op: op, rhs: rhs}, nil
}

func (s *scanner) markerOp() (string, bool) {
	for _, op := range markerOps {
		if s.accept(op) {
			return op, true
		}
	}
	if s.peek("not") {
		i := s.pos + len("not")
		j := i
		for j < len(s.in) && (s.in[j] == ' ' || s.in[j] == '\t') {
			j++
		}
		if j > i && strings.HasPrefix(s.in[j:], "in") {
			s.pos = j + len("in")
			return "not in", true
		}
	}
	if s.accept("in") {
		return "in", true
	}
	return "", false
}

func (s *scanner) operand() (operand, error) {
	s.skipSpace()
	if s.atEnd() {
		return operand{}, s.errorf(s.pos, "expected a marker variable or quoted string, found end of input")
	}
	if q := s.in[s.pos]; q == '\'' || q == '"' {
		// No escapes, and no line breaks inside, as in packaging 21.3.
		start := s.pos
		end := strings.IndexAny(s.in[start+1:], string(q)+"\n\r")
		if end < 0 || s.in[start+1+end] != q {
			return operand{}, s.errorf(start, "unterminated string: expected a closing "+string(q)+" on the same line")
		}
		s.pos = start + 1 + end + 1
		return operand{text: s.in[start+1 : start+1+end]}, nil
	}
	for _, v := range markerVariables {
		if s.accept(v) {
			return operand{text: canonicalVariable(v), isVar: true}, nil
		}
	}
	return operand{}, s.errorf(s.pos, "expected a marker variable (python_version, sys_platform, extra, ...) or a quoted string")
}

// String returns the marker in packaging's canonical spelling: single
// spaces, canonical variable names, double-quoted values, and parentheses
// only where the input had them inside a longer chain.
func (m *Marker) String() string {
	if m == nil || m.root == nil {
		return ""
	}
	var b strings.Builder
	m.root.format(&b, true)
	return b.String()
}

// format prints like packaging 21.3's _format_marker, except that a group
// holding only another group keeps one pair of parentheses where 21.3 would
// drop both (and change the meaning of `((a or b)) and c`).
func (e *expr) format(b *strings.Builder, top bool) {
	if len(e.terms) == 1 {
		t := e.terms[0]
		if t.cmp != nil {
			t.cmp.format(b)
		} else {
			t.group.format(b, top)
		}
		return
	}
	if !top {
		b.WriteByte('(')
	}
	for i, t := range e.terms {
		if i > 0 {
			b.WriteByte(' ')
			b.WriteString(e.ops[i-1])
			b.WriteByte(' ')
		}
		if t.cmp != nil {
			t.cmp.format(b)
		} else {
			t.group.format(b, false)
		}
	}
	if !top {
		b.WriteByte(')')
	}
}

func (c *comparison) format(b *strings.Builder) {
	c.lhs.format(b)
	b.WriteByte(' ')
	b.WriteString(c.op)
	b.WriteByte(' ')
	c.rhs.format(b)
}

func (o operand) format(b *strings.Builder) {
	if o.isVar {
		b.WriteString(o.text)
		return
	}
	// packaging always writes double quotes, which breaks a value holding
	// one; such a value came in single quotes and goes out in them.
	q := byte('"')
	if strings.IndexByte(o.text, '"') >= 0 {
		q = '\''
	}
	b.WriteByte(q)
	b.WriteString(o.text)
	b.WriteByte(q)
}
