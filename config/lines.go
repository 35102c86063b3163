package config

import (
	"strconv"
	"strings"

	"github.com/pelletier/go-toml/v2/unstable"
)

// keySep joins the elements of a key path; members of arrays (and of arrays
// of tables) are elements "#0", "#1", ...
const keySep = "\x00"

// keyLines maps the path of every key, table and array member of a TOML
// document to its 1-based line, so that errors found after decoding can
// name the line. The document has already been decoded without error.
func keyLines(data []byte) map[string]int {
	lines := make(map[string]int)
	counts := make(map[string]int) // array-of-tables path -> members so far
	var p unstable.Parser
	p.Reset(data)
	line := func(n *unstable.Node) int {
		if n == nil || n.Raw.Length == 0 && n.Raw.Offset == 0 {
			return 0
		}
		return p.Shape(n.Raw).Start.Line
	}
	var walk func(path []string, n *unstable.Node, at int)
	walk = func(path []string, n *unstable.Node, at int) {
		switch n.Kind {
		case unstable.Array:
			it := n.Children()
			i := 0
			for it.Next() {
				c := it.Node()
				if c.Kind == unstable.Comment {
					continue
				}
				cp := append(clonePath(path), "#"+strconv.Itoa(i))
				l := line(c)
				if c.Kind == unstable.InlineTable || l == 0 {
					l = firstKeyLine(c, line, at)
				}
				lines[strings.Join(cp, keySep)] = l
				walk(cp, c, l)
				i++
			}
		case unstable.InlineTable:
			it := n.Children()
			for it.Next() {
				kv := it.Node()
				if kv.Kind != unstable.KeyValue {
					continue
				}
				kp, l := keyPath(path, kv, line)
				lines[strings.Join(kp, keySep)] = l
				walk(kp, kv.Value(), l)
			}
		}
	}
	var table []string
	for p.NextExpression() {
		e := p.Expression()
		switch e.Kind {
		case unstable.Table, unstable.ArrayTable:
			var parts []string
			it := e.Key()
			l := 0
			for it.Next() {
				if l == 0 {
					l = line(it.Node())
				}
				parts = append(parts, string(it.Node().Data))
			}
			table = nil
			for i, part := range parts {
				table = append(table, part)
				k := strings.Join(table, keySep)
				if i == len(parts)-1 && e.Kind == unstable.ArrayTable {
					n := counts[k]
					counts[k] = n + 1
					table = append(table, "#"+strconv.Itoa(n))
				} else if n, ok := counts[k]; ok {
					table = append(table, "#"+strconv.Itoa(n-1))
				}
			}
			lines[strings.Join(table, keySep)] = l
		case unstable.KeyValue:
			kp, l := keyPath(table, e, line)
			lines[strings.Join(kp, keySep)] = l
			walk(kp, e.Value(), l)
		}
	}
	return lines
}

// keyPath returns the full path and line of a key-value under path.
func keyPath(path []string, kv *unstable.Node, line func(*unstable.Node) int) ([]string, int) {
	kp := clonePath(path)
	it := kv.Key()
	l := 0
	for it.Next() {
		if l == 0 {
			l = line(it.Node())
		}
		kp = append(kp, string(it.Node().Data))
	}
	return kp, l
}

// firstKeyLine returns the line of an inline table's first key, else def.
func firstKeyLine(n *unstable.Node, line func(*unstable.Node) int, def int) int {
	if n.Kind == unstable.InlineTable {
		it := n.Children()
		for it.Next() {
			if kv := it.Node(); kv.Kind == unstable.KeyValue {
				k := kv.Key()
				if k.Next() {
					return line(k.Node())
				}
			}
		}
	}
	return def
}

func clonePath(p []string) []string { return append([]string(nil), p...) }
