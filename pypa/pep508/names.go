package pep508

import "strings"

// NormalizeName returns the PEP 503 normal form of a project name:
// lower case, with every run of "-", "_" and "." replaced by one "-".
func NormalizeName(name string) string {
	var b strings.Builder
	b.Grow(len(name))
	sep := false
	for i := 0; i < len(name); i++ {
		c := name[i]
		if c == '-' || c == '_' || c == '.' {
			if !sep {
				b.WriteByte('-')
			}
			sep = true
			continue
		}
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		sep = false
		b.WriteByte(c)
	}
	return b.String()
}

// ValidName reports whether name is a valid project name (PEP 508, PEP 426):
// ASCII letters and digits, with ".", "_" and "-" only between them.
func ValidName(name string) bool {
	if name == "" {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		alnum := 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
		if alnum {
			continue
		}
		if (c == '.' || c == '_' || c == '-') && i > 0 && i < len(name)-1 {
			continue
		}
		return false
	}
	return true
}

// NormalizeExtra returns the PEP 685 normal form of an extra name, which is
// the PEP 503 form of a project name.
func NormalizeExtra(extra string) string { return NormalizeName(extra) }
