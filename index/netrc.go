package index

import (
	"fmt"
	"strings"
)

// netrcEntry is one machine (or the default) of a netrc file.
type netrcEntry struct {
	machine  string // "" for default
	login    string
	password string
}

// parseNetrc parses a netrc file: "machine", "default", "login",
// "password" and "account" tokens separated by white space, "#" comments,
// and "macdef" bodies (skipped up to the next empty line). Quoted tokens
// are not part of the format and are taken literally.
func parseNetrc(name string, data []byte) ([]netrcEntry, error) {
	var entries []netrcEntry
	var cur *netrcEntry
	lines := strings.Split(string(data), "\n")
	var tokens []string
	inMacro := false
	for _, line := range lines {
		if inMacro {
			if strings.TrimSpace(line) == "" {
				inMacro = false
			}
			continue
		}
		if i := strings.Index(line, "#"); i >= 0 {
			line = line[:i]
		}
		fields := strings.Fields(line)
		for j := 0; j < len(fields); j++ {
			if fields[j] == "macdef" {
				// the macro name ends the line; its body follows
				inMacro = true
				break
			}
			tokens = append(tokens, fields[j])
		}
	}
	for i := 0; i < len(tokens); i++ {
		tok := tokens[i]
		next := func() (string, error) {
			if i+1 >= len(tokens) {
				return "", fmt.Errorf("%s: %q needs a value", name, tok)
			}
			i++
			return tokens[i], nil
		}
		switch tok {
		case "machine":
			m, err := next()
			if err != nil {
				return nil, err
			}
			entries = append(entries, netrcEntry{machine: strings.ToLower(m)})
			cur = &entries[len(entries)-1]
		case "default":
			entries = append(entries, netrcEntry{})
			cur = &entries[len(entries)-1]
		case "login", "password", "account":
			v, err := next()
			if err != nil {
				return nil, err
			}
			if cur == nil {
				return nil, fmt.Errorf("%s: %q before any \"machine\" or \"default\"", name, tok)
			}
			switch tok {
			case "login":
				cur.login = v
			case "password":
				cur.password = v
			}
		default:
			// the word is not echoed: a misplaced password would leak
			return nil, fmt.Errorf("%s: unexpected word %d (want machine, default, login, password, account or macdef)", name, i+1)
		}
	}
	return entries, nil
}

// lookupNetrc returns the credentials for host (without port): the first
// matching machine, else the default entry.
func lookupNetrc(entries []netrcEntry, host string) (login, password string, ok bool) {
	host = strings.ToLower(host)
	for _, e := range entries {
		if e.machine != "" && e.machine == host {
			return e.login, e.password, true
		}
	}
	for _, e := range entries {
		if e.machine == "" {
			return e.login, e.password, true
		}
	}
	return "", "", false
}
