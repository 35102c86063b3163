package pep508

import (
	"net/netip"
	"regexp"
	"strconv"
	"strings"
)

// checkURL applies packaging 21.3's test to the URL of "name @ url", with
// Python's urllib.parse rules: a "file:" URL must survive
// urlunparse(urlparse(url)) unchanged, any other needs a scheme and a host.
// It returns "" for a valid URL, else what is wrong.
//
// Deliberately stricter than 21.3: control characters (which Python
// silently deletes or strips) and non-ASCII hosts (which Python checks
// under NFKC normalization) are refused.
func checkURL(u string) string {
	for i := 0; i < len(u); i++ {
		if c := u[i]; c < 0x20 || c == 0x7f {
			return "invalid URL: control character at byte " + strconv.Itoa(i) + " of the URL"
		}
	}
	scheme, rest := "", u
	if i := strings.IndexByte(u, ':'); i > 0 && isASCIILetter(u[0]) && isScheme(u[:i]) {
		scheme, rest = strings.ToLower(u[:i]), u[i+1:]
	}
	netloc, path := "", rest
	if strings.HasPrefix(rest, "//") {
		end := len(rest)
		if i := strings.IndexAny(rest[2:], "/?#"); i >= 0 {
			end = 2 + i
		}
		netloc, path = rest[2:end], rest[end:]
		open, closed := strings.Contains(netloc, "["), strings.Contains(netloc, "]")
		if open != closed {
			return "invalid URL: unbalanced brackets in host " + hostOf(netloc)
		}
		if open {
			_, after, _ := strings.Cut(netloc, "[")
			host, _, _ := strings.Cut(after, "]")
			if msg := checkBracketedHost(host); msg != "" {
				return msg
			}
		}
		for i := 0; i < len(netloc); i++ {
			if netloc[i] >= 0x80 {
				return "invalid URL: non-ASCII host " + hostOf(netloc) + "; write it in punycode (xn--...)"
			}
		}
	}
	if scheme == "file" {
		fragment, query := "", ""
		if p, f, ok := strings.Cut(path, "#"); ok {
			path, fragment = p, f
		}
		if p, q, ok := strings.Cut(path, "?"); ok {
			path, query = p, q
		}
		// urlunsplit, for a scheme in uses_netloc
		out := path
		if netloc != "" || !strings.HasPrefix(path, "//") {
			if path != "" && path[0] != '/' {
				out = "/" + path
			}
			out = "//" + netloc + out
		}
		out = scheme + ":" + out
		if query != "" {
			out += "?" + query
		}
		if fragment != "" {
			out += "#" + fragment
		}
		if out != u {
			return "invalid file URL: write it as file:///absolute/path or file://host/path (it reads back as " + out + ")"
		}
		return ""
	}
	if scheme == "" || netloc == "" {
		return "invalid URL: it needs a scheme and a host, like https://host/path/name-1.0.tar.gz"
	}
	return ""
}

// hostOf returns netloc without its user information, for messages.
func hostOf(netloc string) string {
	if at := strings.LastIndexByte(netloc, '@'); at >= 0 {
		return netloc[at+1:]
	}
	return netloc
}

func isASCIILetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }

// isScheme reports whether s holds only Python's scheme_chars.
func isScheme(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !isAlnum(c) && c != '+' && c != '-' && c != '.' {
			return false
		}
	}
	return true
}

var ipvFuture = regexp.MustCompile(`^v[a-fA-F0-9]+\..+$`)

// checkBracketedHost is Python's _check_bracketed_host: an IPv6 address
// or an IPvFuture literal, never IPv4.
func checkBracketedHost(host string) string {
	if strings.HasPrefix(host, "v") {
		if !ipvFuture.MatchString(host) {
			return "invalid URL: invalid IPvFuture address [" + host + "]"
		}
		return ""
	}
	a, err := netip.ParseAddr(host)
	if err != nil {
		return "invalid URL: [" + host + "] is not an IPv6 address"
	}
	if a.Is4() {
		return "invalid URL: an IPv4 address cannot be in brackets: [" + host + "]"
	}
	return ""
}
