package config

import (
	"fmt"
	"strings"

	"github.com/safepip/safepip/pypa/pep508"
)

// A pattern in "packages" is a project name in which "*" matches any run of
// characters (none included) and "?" matches one character. Patterns are
// normalized like names (PEP 503), so "Acme_*" and "acme-*" are the same
// pattern. There are no character classes: a reviewer reads a pattern at a
// glance.

// normalizePattern validates a "packages" pattern and returns its PEP 503
// normal form.
func normalizePattern(p string) (string, error) {
	if p == "" {
		return "", fmt.Errorf("empty pattern: write a project name such as \"acme-auth\" or a glob such as \"acme-*\"")
	}
	for i := 0; i < len(p); i++ {
		c := p[i]
		ok := 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
			c == '-' || c == '_' || c == '.' || c == '*' || c == '?'
		if !ok {
			return "", fmt.Errorf("%q: a pattern holds letters, digits, \"-\", \"_\", \".\", and the wildcards \"*\" (any run of characters) and \"?\" (one character)", p)
		}
	}
	n := pep508.NormalizeName(p)
	if strings.Trim(n, "*?-") == "" && strings.ContainsAny(n, "*") {
		return "", fmt.Errorf("%q matches every project: pin projects by name or prefix, or make this index the default", p)
	}
	return n, nil
}

// matchPattern reports whether the normalized name matches the normalized
// pattern. It runs in O(len(pattern)*len(name)) time.
func matchPattern(pattern, name string) bool {
	// Classic greedy matcher with one backtrack point per star.
	p, n := 0, 0
	star, mark := -1, 0
	for n < len(name) {
		switch {
		case p < len(pattern) && (pattern[p] == '?' || pattern[p] == name[n]):
			p++
			n++
		case p < len(pattern) && pattern[p] == '*':
			star, mark = p, n
			p++
		case star >= 0:
			p = star + 1
			mark++
			n = mark
		default:
			return false
		}
	}
	for p < len(pattern) && pattern[p] == '*' {
		p++
	}
	return p == len(pattern)
}

// overlap reports whether some name matches both normalized patterns, and
// returns the shortest such name (wildcards filled with "x") as an example.
func overlap(a, b string) (string, bool) {
	// Breadth-first search over pairs of positions in the two patterns; a
	// star may be skipped (epsilon move) or consume a character and stay.
	type state struct{ i, j int }
	type link struct {
		prev state
		c    byte // 0: epsilon move
	}
	width := len(b) + 1
	seen := make([]bool, (len(a)+1)*width)
	from := make(map[state]link)
	start := state{0, 0}
	queue := []state{start}
	seen[0] = true
	push := func(s, prev state, c byte) {
		k := s.i*width + s.j
		if seen[k] {
			return
		}
		seen[k] = true
		from[s] = link{prev, c}
		queue = append(queue, s)
	}
	// next lists where pattern p can go from position i on character c
	// (c == 0: any character, for wildcards facing wildcards).
	for len(queue) > 0 {
		s := queue[0]
		queue = queue[1:]
		if s.i == len(a) && s.j == len(b) {
			var out []byte
			for s != start {
				l := from[s]
				if l.c != 0 {
					out = append(out, l.c)
				}
				s = l.prev
			}
			for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
				out[i], out[j] = out[j], out[i]
			}
			return string(out), true
		}
		if s.i < len(a) && a[s.i] == '*' {
			push(state{s.i + 1, s.j}, s, 0)
		}
		if s.j < len(b) && b[s.j] == '*' {
			push(state{s.i, s.j + 1}, s, 0)
		}
		if s.i == len(a) || s.j == len(b) {
			continue
		}
		ca, cb := a[s.i], b[s.j]
		c := byte('x')
		switch {
		case ca != '*' && ca != '?' && cb != '*' && cb != '?':
			if ca != cb {
				continue
			}
			c = ca
		case ca != '*' && ca != '?':
			c = ca
		case cb != '*' && cb != '?':
			c = cb
		}
		ni, nj := s.i+1, s.j+1
		if ca == '*' {
			ni = s.i
		}
		if cb == '*' {
			nj = s.j
		}
		push(state{ni, nj}, s, c)
	}
	return "", false
}
