package pep440

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"math/rand/v2"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// The differential test feeds generated versions and specifiers to pip's
// vendored packaging 21.3 (testdata/oracle.py, one python3 process) and
// requires the same answers. Cases where this package follows PEP 440 and
// packaging 22+ instead of 21.3 are excluded by the predicates below, each
// saying why, and counted.

type oracleRequest struct {
	Versions []string    `json:"versions"`
	Pairs    [][2]string `json:"pairs"`
	Sets     []string    `json:"sets"`
	Contains [][2]string `json:"contains"`
	Filters  []filterReq `json:"filters"`
}

type filterReq struct {
	Set      string
	Versions []string
}

func (f filterReq) MarshalJSON() ([]byte, error) {
	return json.Marshal([]any{f.Set, f.Versions})
}

type oracleAnswer struct {
	Packaging string        `json:"packaging"`
	Versions  [][]any       `json:"versions"`
	Pairs     []int         `json:"pairs"`
	Sets      [][]any       `json:"sets"`
	Contains  [][3]bool     `json:"contains"`
	Filters   [][3][]string `json:"filters"`
}

// oracle is one python3 process running testdata/oracle.py.
type oracle struct {
	packaging string
	cmd       *exec.Cmd
	enc       *json.Encoder
	dec       *json.Decoder
	stderr    bytes.Buffer
}

// startOracle starts the oracle, or skips the test when there is no
// python3 with pip.
func startOracle(t *testing.T) *oracle {
	t.Helper()
	python, err := exec.LookPath("python3")
	if err != nil {
		t.Fatal("no python3: the differential test against packaging needs it")
	}
	o := &oracle{cmd: exec.Command(python, "testdata/oracle.py")}
	o.cmd.Stderr = &o.stderr
	in, err := o.cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := o.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := o.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		in.Close()
		o.cmd.Wait()
	})
	o.enc, o.dec = json.NewEncoder(in), json.NewDecoder(out)
	var hello struct{ Packaging string }
	if err := o.dec.Decode(&hello); err != nil {
		in.Close()
		if o.cmd.Wait(); o.cmd.ProcessState.ExitCode() == 3 {
			t.Fatalf("the packaging oracle did not start: %s", o.stderr.Bytes())
		}
		t.Fatalf("testdata/oracle.py: %v\n%s", err, o.stderr.Bytes())
	}
	o.packaging = hello.Packaging
	return o
}

func (o *oracle) ask(t *testing.T, req *oracleRequest) *oracleAnswer {
	t.Helper()
	if err := o.enc.Encode(req); err != nil {
		t.Fatalf("testdata/oracle.py: %v\n%s", err, o.stderr.Bytes())
	}
	var ans oracleAnswer
	if err := o.dec.Decode(&ans); err != nil {
		t.Fatalf("testdata/oracle.py: %v\n%s", err, o.stderr.Bytes())
	}
	return &ans
}

// gen makes version and specifier spellings from a seeded source.
type gen struct{ r *rand.Rand }

func (g gen) pick(s ...string) string { return s[g.r.IntN(len(s))] }

func (g gen) chance(n int) bool { return g.r.IntN(n) == 0 }

// num is a small number, sometimes with leading zeros, rarely huge.
func (g gen) num() string {
	switch {
	case g.chance(40):
		n := 20 + g.r.IntN(80)
		b := make([]byte, n)
		for i := range b {
			b[i] = byte('0' + g.r.IntN(10))
		}
		return string(b)
	case g.chance(10):
		return strings.Repeat("0", 1+g.r.IntN(2)) + fmt.Sprint(g.r.IntN(12))
	}
	return fmt.Sprint(g.r.IntN(12))
}

func (g gen) sep() string {
	if g.chance(2) {
		return ""
	}
	return g.pick(".", "-", "_")
}

// word spells w with random ASCII case.
func (g gen) word(w string) string {
	b := []byte(w)
	for i := range b {
		if g.chance(4) {
			b[i] = strings.ToUpper(string(b[i]))[0]
		}
	}
	return string(b)
}

func (g gen) local() string {
	var b strings.Builder
	for i := range 1 + g.r.IntN(3) {
		if i > 0 {
			b.WriteString(g.pick(".", "-", "_"))
		}
		if g.chance(2) {
			b.WriteString(g.num())
		} else {
			b.WriteString(g.word(g.pick("a", "abc", "ubuntu", "g1234", "1a", "z", "dev", "post")))
		}
	}
	return b.String()
}

// version spells a version with the given parts, in any PEP 440 spelling.
func (g gen) version(epoch string, release []string, pre, preN, post, dev, local string) string {
	var b strings.Builder
	if g.chance(10) {
		b.WriteString(g.pick("v", "V"))
	}
	if epoch != "" {
		b.WriteString(epoch + "!")
	}
	b.WriteString(strings.Join(release, "."))
	if pre != "" {
		b.WriteString(g.sep() + g.word(pre) + g.sep() + preN)
	}
	if post != "" {
		if post[0] == '-' {
			b.WriteString(post)
		} else {
			b.WriteString(g.sep() + g.word(g.pick("post", "rev", "r")) + g.sep() + post[1:])
		}
	}
	if dev != "" {
		b.WriteString(g.sep() + g.word("dev") + g.sep() + dev[1:])
	}
	if local != "" {
		b.WriteString("+" + local)
	}
	return b.String()
}

// randomVersion is a version of random parts, possibly mutated.
func (g gen) randomVersion() string {
	epoch := ""
	if g.chance(8) {
		epoch = g.num()
	}
	release := make([]string, 1+g.r.IntN(4))
	for i := range release {
		release[i] = g.num()
	}
	pre, preN, post, dev, local := "", "", "", "", ""
	if g.chance(3) {
		pre = g.pick("a", "b", "c", "rc", "alpha", "beta", "pre", "preview")
		if !g.chance(4) {
			preN = g.num()
		}
	}
	if g.chance(4) {
		if g.chance(3) {
			post = "-" + g.num()
		} else if g.chance(4) {
			post = "p"
		} else {
			post = "p" + g.num()
		}
	}
	if g.chance(4) {
		dev = "d"
		if !g.chance(4) {
			dev += g.num()
		}
	}
	if g.chance(5) {
		local = g.local()
	}
	s := g.version(epoch, release, pre, preN, post, dev, local)
	if g.chance(15) {
		s = g.pick(" ", "\t", "\n", "\u00a0", "\x1f") + s + g.pick("", " ", "\r\n", "\u3000")
	}
	if g.chance(4) {
		s = g.mutate(s)
	}
	return s
}

// mutate inserts, deletes or swaps a character to make near-misses.
func (g gen) mutate(s string) string {
	alphabet := []string{".", "-", "_", "+", "!", "*", " ", "a", "b", "c", "d", "e", "p", "r", "v", "x", "0", "1", "9", "ſ", "K", "İ", "é"}
	i := 0
	if len(s) > 0 {
		i = g.r.IntN(len(s) + 1)
	}
	switch g.r.IntN(4) {
	case 0:
		return s[:i] + g.pick(alphabet...) + s[i:]
	case 1:
		if i < len(s) {
			return s[:i] + s[i+1:]
		}
	case 2:
		if i < len(s) {
			return s[:i] + g.pick(alphabet...) + s[i+1:]
		}
	}
	return s[:i]
}

// family makes versions around one release, so that comparisons and
// specifiers meet equal, neighbouring and suffixed versions.
type family struct {
	epoch   string
	release []string
}

func (g gen) family() family {
	f := family{release: make([]string, 1+g.r.IntN(3))}
	if g.chance(10) {
		f.epoch = g.pick("1", "2")
	}
	for i := range f.release {
		f.release[i] = fmt.Sprint(g.r.IntN(3))
	}
	return f
}

// member is a version of f: the release, perhaps with zeros added or the
// last number bumped, and random pre, post, dev and local segments.
func (g gen) member(f family, spelled bool) string {
	rel := slices.Clone(f.release)
	if g.chance(4) {
		rel = append(rel, "0")
	}
	if g.chance(5) {
		rel[len(rel)-1] = fmt.Sprint(g.r.IntN(4))
	}
	if g.chance(8) {
		rel = append(rel, fmt.Sprint(g.r.IntN(3)))
	}
	epoch := f.epoch
	if g.chance(20) {
		epoch = g.pick("", "0", "1")
	}
	pre, preN, post, dev, local := "", "", "", "", ""
	if g.chance(3) {
		pre = g.pick("a", "b", "rc")
		preN = fmt.Sprint(g.r.IntN(3))
	}
	if g.chance(4) {
		post = "p" + fmt.Sprint(g.r.IntN(3))
	}
	if g.chance(4) {
		dev = "d" + fmt.Sprint(g.r.IntN(3))
	}
	if g.chance(5) {
		local = g.pick("1", "a", "abc.1", "1.a", "0", "abc.2", "ubuntu-1", "1.0")
	}
	if spelled {
		return g.version(epoch, rel, pre, preN, post, dev, local)
	}
	v := MustParse(g.version(epoch, rel, pre, preN, post, dev, local))
	return v.String()
}

func (g gen) clause(f family) string {
	op := g.pick("==", "!=", "<=", ">=", "<", ">", "~=", "===", "==", ">=", "<", "~=")
	ws := ""
	if g.chance(6) {
		ws = " "
	}
	v := g.member(f, g.chance(6))
	if g.chance(25) {
		// a near-miss of any kind
		return g.mutate(op + ws + v)
	}
	switch {
	case (op == "==" || op == "!=") && g.chance(3):
		// wildcard: a prefix of the version, without dev or local
		p := MustParse(v)
		rel := p.Release()
		strs := make([]string, 1+g.r.IntN(len(rel)))
		for i := range strs {
			strs[i] = fmt.Sprint(rel[i])
		}
		text := strings.Join(strs, ".")
		if p.Epoch() != 0 {
			text = fmt.Sprint(p.Epoch()) + "!" + text
		}
		if kind, n, ok := p.Pre(); ok && g.chance(3) {
			text += fmt.Sprint(kind, n)
		}
		if n, ok := p.Post(); ok && g.chance(3) {
			text += fmt.Sprint(".post", n)
		}
		if g.chance(10) {
			text = g.version("", strs, "", "", "", "", "") // spelled
		}
		return op + ws + text + ".*"
	case op != "==" && op != "!=" && op != "===" && !g.chance(10):
		v = strings.SplitN(v, "+", 2)[0]
	}
	return op + ws + v
}

func (g gen) set(f family) string {
	n := g.r.IntN(4)
	if g.chance(20) {
		return g.pick("", " ", ",", " , ")
	}
	clauses := make([]string, n)
	for i := range clauses {
		if g.chance(6) {
			clauses[i] = g.clause(g.family())
		} else {
			clauses[i] = g.clause(f)
		}
	}
	sep := ","
	if g.chance(4) {
		sep = ", "
	}
	return strings.Join(clauses, sep)
}

// excluded21 says why packaging 21.3 is not the reference for s matching v,
// or "" when it is.
func excluded21(s Specifier, v Version) string {
	var text string
	var m int
	switch {
	case s.wild:
		text, m = strings.TrimSuffix(s.Version, ".*"), s.v.nrel
	case s.Op == "~=":
		text, m = s.Version, s.v.nrel-1
	default:
		return ""
	}
	// 21.3 compares the text of a prefix, split on dots, with the
	// normalized candidate; packaging 22+ normalizes both sides first.
	if p, err := Parse(text); err != nil || p.String() != text {
		return "prefix not in normal form"
	}
	// 21.3 glues the epoch to the first release number ("1!2") and then
	// neither pads the release nor splits a pre-release off "1!2rc1".
	if s.v.Epoch() != 0 && (v.nrel < m || v.nrel == 1 && v.flags&hasPre != 0) {
		return "prefix with an epoch"
	}
	// 21.3 shortens the candidate before padding it with zeros, so
	// "==1.0.*" misses "1a1"; packaging 22+ pads first, as PEP 440 says.
	if v.nrel < m && v.flags&(hasPre|hasPost|hasDev) != 0 {
		return "candidate release shorter than the prefix"
	}
	return ""
}

// excludedSet21 says why 21.3's duplicate removal does not apply to s.
func excludedSet21(set SpecifierSet) string {
	seen := map[string]string{} // 21.3's identity -> ours
	for _, s := range set {
		if s.Op != "~=" && s.Op != "===" {
			continue
		}
		// 21.3 drops "~=1.0.0" after "~=1.0" and "===1.0.0" after
		// "===1.0" (trailing zeros stripped); they mean different things.
		k := s.Op + s.Version
		if v, err := Parse(s.Version); err == nil {
			k = s.Op + strings.TrimPrefix(Specifier{Op: "==", v: v}.canonical(), "==")
		}
		if prev, ok := seen[k]; ok && prev != s.canonical() {
			return "~= or === duplicates up to trailing zeros"
		}
		seen[k] = s.canonical()
	}
	return ""
}

func hasNonASCII(s string) bool {
	return strings.ContainsFunc(strings.TrimFunc(s, isPySpace), func(r rune) bool { return r >= 0x80 })
}

var prereleaseModes = [3]Prereleases{PrereleasesDefault, PrereleasesAllow, PrereleasesExclude}

func TestDifferentialPackaging(t *testing.T) {
	o := startOracle(t)
	if o.packaging != "21.3" {
		t.Logf("reference is packaging %s, not 21.3", o.packaging)
	}
	g := gen{rand.New(rand.NewPCG(440, 21))}

	// Round one: parse versions and sets, order versions of one family.
	req := &oracleRequest{}
	for range 12000 {
		req.Versions = append(req.Versions, g.randomVersion())
	}
	fams := make([]family, 400)
	pool := make([][]string, len(fams))
	for i := range fams {
		fams[i] = g.family()
		for range 8 {
			pool[i] = append(pool[i], g.member(fams[i], false))
		}
	}
	for range 12000 {
		a := pool[g.r.IntN(len(pool))]
		b := a
		if g.chance(3) {
			b = pool[g.r.IntN(len(pool))]
		}
		req.Pairs = append(req.Pairs, [2]string{a[g.r.IntN(len(a))], b[g.r.IntN(len(b))]})
	}
	for range 1800 {
		req.Sets = append(req.Sets, g.set(fams[g.r.IntN(len(fams))]))
	}
	ans := o.ask(t, req)
	valid, nonASCII := checkVersions(t, req.Versions, ans.Versions)
	checkPairs(t, req.Pairs, ans.Pairs)
	sets, setTexts, setsExcluded, n := checkSets(t, req.Sets, ans.Sets)
	nonASCII += n

	// Round two: match versions near the valid sets, order random spellings.
	req2 := &oracleRequest{}
	var cases []containsCase
	for i, set := range sets {
		filt := []string{}
		for _, c := range g.candidates(set, fams) {
			v := MustParse(c)
			why := ""
			for _, sp := range set {
				if w := excluded21(sp, v); w != "" {
					why = w
				}
			}
			if why == "" {
				filt = append(filt, c)
			}
			cases = append(cases, containsCase{set, v, why})
			req2.Contains = append(req2.Contains, [2]string{setTexts[i], c})
		}
		req2.Filters = append(req2.Filters, filterReq{setTexts[i], filt})
	}
	for range 200 {
		// empty sets over lists with and without final releases
		vs := []string{}
		for range 1 + g.r.IntN(5) {
			vs = append(vs, g.member(fams[g.r.IntN(len(fams))], false))
		}
		if g.chance(2) {
			vs = slices.DeleteFunc(vs, func(s string) bool { return !MustParse(s).IsPrerelease() })
		}
		req2.Filters = append(req2.Filters, filterReq{g.pick("", " , "), vs})
	}
	var spelled []string // huge numbers, leading zeros, odd spellings
	for i, s := range req.Versions {
		if ans.Versions[i][0].(bool) && !hasNonASCII(s) {
			spelled = append(spelled, s)
		}
	}
	for range 5000 {
		req2.Pairs = append(req2.Pairs, [2]string{spelled[g.r.IntN(len(spelled))], spelled[g.r.IntN(len(spelled))]})
	}
	ans2 := o.ask(t, req2)
	checkPairs(t, req2.Pairs, ans2.Pairs)
	compared, containsPre, excluded, differ := checkContains(t, cases, req2.Contains, ans2.Contains)
	checkFilters(t, req2.Filters, ans2.Filters)

	t.Logf("compared with packaging %s:", o.packaging)
	t.Logf("  %d version strings (%d valid)", len(req.Versions), valid)
	t.Logf("  %d version pairs ordered (%d of versions near each other, %d of random spellings)", len(req.Pairs)+len(req2.Pairs), len(req.Pairs), len(req2.Pairs))
	t.Logf("  %d specifier sets (%d valid; %d skipped for ~=/=== duplicate removal)", len(req.Sets), len(sets)+setsExcluded, setsExcluded)
	t.Logf("  %d set x version pairs x 3 prerelease modes (%d pre-releases)", compared, containsPre)
	for _, why := range slices.Sorted(maps.Keys(excluded)) {
		t.Logf("  %d pairs skipped (%d of them differ): 21.3 prefix matching: %s", excluded[why], differ[why], why)
	}
	t.Logf("  %d Filter calls x 3 prerelease modes", len(req2.Filters))
	t.Logf("  %d versions or sets with non-ASCII letters that packaging accepts skipped (doc.go)", nonASCII)
}

// checkVersions compares Parse, String and Canonical with packaging.
func checkVersions(t *testing.T, in []string, ans [][]any) (valid, nonASCII int) {
	for i, s := range in {
		ok, want := ans[i][0].(bool), ans[i][1].(string)
		v, err := Parse(s)
		switch {
		case ok && err != nil && hasNonASCII(s):
			nonASCII++ // deliberate: only ASCII letters (doc.go)
		case ok != (err == nil):
			t.Errorf("Parse(%q): err = %v, packaging: %s", s, err, want)
		case ok && v.String() != want:
			t.Errorf("Parse(%q) = %q, packaging %q", s, v, want)
		case ok && v.Canonical() != ans[i][2].(string):
			t.Errorf("Parse(%q).Canonical() = %q, packaging %q", s, v.Canonical(), ans[i][2])
		case ok:
			valid++
		}
	}
	return valid, nonASCII
}

func checkPairs(t *testing.T, pairs [][2]string, ans []int) {
	for i, p := range pairs {
		if got := MustParse(p[0]).Compare(MustParse(p[1])); got != ans[i] {
			t.Errorf("Compare(%q, %q) = %d, packaging %d", p[0], p[1], got, ans[i])
		}
	}
}

// checkSets compares ParseSpecifierSet, String and NamesPrerelease with
// packaging and returns the valid sets to match versions against.
func checkSets(t *testing.T, in []string, ans [][]any) (sets []SpecifierSet, texts []string, excluded, nonASCII int) {
	for i, s := range in {
		ok, want := ans[i][0].(bool), ans[i][1].(string)
		set, err := ParseSpecifierSet(s)
		switch {
		case ok && err != nil && hasNonASCII(s):
			nonASCII++ // deliberate: only ASCII letters (doc.go)
			continue
		case ok != (err == nil):
			t.Errorf("ParseSpecifierSet(%q): err = %v, packaging: %v %s", s, err, ok, want)
			continue
		case !ok:
			continue // 21.3 would make a LegacySpecifier: not PEP 440
		case excludedSet21(set) != "":
			excluded++
			continue
		}
		if set.String() != want {
			t.Errorf("ParseSpecifierSet(%q).String() = %q, packaging %q", s, set, want)
		}
		if pre := ans[i][2].(bool); set.NamesPrerelease() != pre {
			t.Errorf("ParseSpecifierSet(%q).NamesPrerelease() = %v, packaging %v", s, !pre, pre)
		}
		sets = append(sets, set)
		texts = append(texts, s)
	}
	return sets, texts, excluded, nonASCII
}

type containsCase struct {
	set SpecifierSet
	v   Version
	why string // why 21.3 is not the reference, or ""
}

// candidates returns versions to match against set: members of the
// families of its versions, and of other families.
func (g gen) candidates(set SpecifierSet, fams []family) []string {
	var out []string
	for range 8 {
		f := fams[g.r.IntN(len(fams))]
		for _, sp := range set {
			if p, err := Parse(strings.TrimSuffix(sp.Version, ".*")); err == nil && g.chance(2) {
				f = family{}
				if e := p.Epoch(); e != 0 {
					f.epoch = fmt.Sprint(e)
				}
				for _, n := range p.Release() {
					f.release = append(f.release, fmt.Sprint(n))
				}
			}
		}
		out = append(out, g.member(f, false))
	}
	return out
}

// checkContains compares Contains in the three modes with packaging. For
// the cases 21.3 is not the reference for, it counts how many differ, to
// show that the exclusions hide real differences only.
func checkContains(t *testing.T, cases []containsCase, req [][2]string, ans [][3]bool) (compared, pre int, excluded, differ map[string]int) {
	excluded, differ = map[string]int{}, map[string]int{}
	for i, c := range cases {
		if c.why != "" {
			excluded[c.why]++
			for j, mode := range prereleaseModes {
				if c.set.Contains(c.v, mode) != ans[i][j] {
					differ[c.why]++
					break
				}
			}
			continue
		}
		for j, mode := range prereleaseModes {
			if got := c.set.Contains(c.v, mode); got != ans[i][j] {
				t.Errorf("%q.Contains(%q, %v) = %v, packaging %v", req[i][0], c.v, mode, got, ans[i][j])
			}
		}
		compared++
		if c.v.IsPrerelease() {
			pre++
		}
	}
	return compared, pre, excluded, differ
}

func checkFilters(t *testing.T, filters []filterReq, ans [][3][]string) {
	for i, f := range filters {
		set, err := ParseSpecifierSet(f.Set)
		if err != nil {
			t.Fatal(err)
		}
		var vs []Version
		for _, s := range f.Versions {
			vs = append(vs, MustParse(s))
		}
		for j, mode := range prereleaseModes {
			var got []string
			for _, v := range set.Filter(vs, mode) {
				got = append(got, v.String())
			}
			if want := ans[i][j]; !slices.Equal(got, want) && len(got)+len(want) > 0 {
				t.Errorf("%q.Filter(%q, %v) = %q, packaging %q", f.Set, f.Versions, mode, got, want)
			}
		}
	}
}

// TestDifferentialGrammar compares which short token sequences are versions
// and specifiers: every sequence of up to three tokens, and random longer
// ones, so that each corner of the grammar meets packaging's regular
// expressions.
func TestDifferentialGrammar(t *testing.T) {
	o := startOracle(t)
	tokens := []string{"1", "01", "0", ".", "-", "_", "a", "B", "rc", "c", "pre", "post", "r", "dev", "+", "!", "v", "x", ".*", " ", "l1", ",", "=="}
	g := gen{rand.New(rand.NewPCG(440, 508))}
	var seqs []string
	var walk func(prefix string, n int)
	walk = func(prefix string, n int) {
		if prefix != "" {
			seqs = append(seqs, prefix)
		}
		if n == 0 {
			return
		}
		for _, tok := range tokens {
			walk(prefix+tok, n-1)
		}
	}
	walk("", 3)
	for range 10000 {
		var b strings.Builder
		for range 4 + g.r.IntN(4) {
			b.WriteString(g.pick(tokens...))
		}
		seqs = append(seqs, b.String())
	}
	req := &oracleRequest{Versions: seqs}
	for _, s := range seqs {
		if g.chance(3) {
			req.Sets = append(req.Sets, g.pick(operators[:]...)+s)
		}
	}
	for _, op := range operators {
		for _, tok := range tokens {
			req.Sets = append(req.Sets, op+tok, op+"1"+tok, op+"1.0"+tok, op+"1.0"+tok+"1", op+tok+"1.0")
		}
	}
	ans := o.ask(t, req)
	var valid, validSets int
	for i, s := range req.Versions {
		ok, want := ans.Versions[i][0].(bool), ans.Versions[i][1].(string)
		v, err := Parse(s)
		switch {
		case ok != (err == nil):
			t.Errorf("Parse(%q): err = %v, packaging: %s", s, err, want)
		case ok && v.String() != want:
			t.Errorf("Parse(%q) = %q, packaging %q", s, v, want)
		case ok:
			valid++
		}
	}
	for i, s := range req.Sets {
		ok, want := ans.Sets[i][0].(bool), ans.Sets[i][1].(string)
		set, err := ParseSpecifierSet(s)
		switch {
		case ok != (err == nil):
			t.Errorf("ParseSpecifierSet(%q): err = %v, packaging: %v %s", s, err, ok, want)
		case ok && set.String() != want:
			t.Errorf("ParseSpecifierSet(%q).String() = %q, packaging %q", s, set, want)
		case ok:
			validSets++
		}
	}
	t.Logf("compared with packaging %s: %d token sequences as versions (%d valid), %d as specifier sets (%d valid)",
		o.packaging, len(req.Versions), valid, len(req.Sets), validSets)
}
