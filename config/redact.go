package config

import "strings"

// RedactURL returns rawURL with any user information (user name, password
// or token before "@") replaced by "***", so that it is safe to print. It
// works on text, so URLs that do not parse and URLs holding unexpanded
// ${VAR} references are redacted too.
func RedactURL(rawURL string) string {
	u, had := StripUserinfo(rawURL)
	if !had {
		return rawURL
	}
	scheme, rest, _ := strings.Cut(u, "://")
	return scheme + "://***@" + rest
}

// StripUserinfo returns rawURL without its user information, and whether
// there was any. It works on the text, so it neither re-escapes a URL nor
// leaves the credentials of one url.Parse refuses.
func StripUserinfo(rawURL string) (string, bool) {
	scheme, rest, ok := strings.Cut(rawURL, "://")
	if !ok {
		return rawURL, false
	}
	end := strings.IndexAny(rest, "/?#")
	if end < 0 {
		end = len(rest)
	}
	at := strings.LastIndex(rest[:end], "@")
	if at < 0 {
		return rawURL, false
	}
	return scheme + "://" + rest[at+1:], true
}

// userinfoSecrets returns the parts of rawURL's user information that must
// not appear in messages: the password, and a user name long enough to be a
// token (indexes such as Gemfury take the token as the user name).
func userinfoSecrets(rawURL string) []string {
	_, rest, ok := strings.Cut(rawURL, "://")
	if !ok {
		return nil
	}
	end := strings.IndexAny(rest, "/?#")
	if end < 0 {
		end = len(rest)
	}
	at := strings.LastIndex(rest[:end], "@")
	if at < 0 {
		return nil
	}
	user, pass, _ := strings.Cut(rest[:at], ":")
	var out []string
	if pass != "" {
		out = append(out, pass)
	}
	if len(user) >= 8 {
		out = append(out, user)
	}
	return out
}

// scrub removes the secrets of urls from an error text that another package
// produced, as a second line of defence behind that package's own redaction.
func scrub(text string, urls ...string) string {
	for _, u := range urls {
		for _, s := range userinfoSecrets(u) {
			text = strings.ReplaceAll(text, s, "***")
		}
	}
	return text
}
