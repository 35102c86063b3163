package reqfile

import (
	"errors"
	"fmt"
	"strings"

	"github.com/safepip/safepip/pypa/pep508"
	"github.com/safepip/safepip/pypa/wheel"
)

// vcsSchemes are the URL schemes of pip 23.2.1's version control backends.
var vcsSchemes = []string{
	"bzr+http", "bzr+https", "bzr+ssh", "bzr+sftp", "bzr+ftp", "bzr+lp", "bzr+file",
	"git+http", "git+https", "git+ssh", "git+git", "git+file",
	"hg+file", "hg+http", "hg+https", "hg+ssh", "hg+static-http",
	"svn+ssh", "svn+http", "svn+https", "svn+svn", "svn+file",
}

// archiveExtensions are pip's ARCHIVE_EXTENSIONS.
var archiveExtensions = []string{
	".zip", ".whl", ".tar.bz2", ".tbz", ".tar.gz", ".tgz", ".tar",
	".tar.xz", ".txz", ".tlz", ".tar.lz", ".tar.lzma",
}

func urlScheme(s string) string {
	scheme, _, ok := strings.Cut(s, ":")
	if !ok {
		return ""
	}
	return strings.ToLower(scheme)
}

// isURL is pip's is_url: a scheme pip can download from.
func isURL(s string) bool {
	switch scheme := urlScheme(s); scheme {
	case "":
		return false
	case "http", "https", "file", "ftp":
		return true
	default:
		return contains(vcsSchemes, scheme)
	}
}

// looksLikePath is pip's _looks_like_path on a POSIX system.
func looksLikePath(s string) bool {
	return strings.Contains(s, "/") || strings.HasPrefix(s, ".")
}

// isArchive is pip's is_archive_file: the name's extension (".tar.*"
// counted whole) is an archive extension.
func isArchive(s string) bool {
	base := s[strings.LastIndex(s, "/")+1:]
	base = strings.TrimLeft(base, ".") // a leading dot starts no extension
	dot := strings.LastIndex(base, ".")
	if dot < 0 {
		return false
	}
	ext := strings.ToLower(base[dot:])
	if strings.HasSuffix(strings.ToLower(base[:dot]), ".tar") {
		ext = ".tar" + ext
	}
	return contains(archiveExtensions, ext)
}

// splitExtras is pip's _strip_extras: a trailing "[...]" after a
// non-empty path.
func splitExtras(s string) (string, string) {
	if !strings.HasSuffix(s, "]") {
		return s, ""
	}
	open := strings.LastIndex(s, "[")
	if open <= 0 || open+1 == len(s)-1 || strings.Contains(s[open+1:len(s)-1], "]") {
		return s, ""
	}
	return s[:open], s[open:]
}

type reqError struct {
	err  error
	hint string
}

func parseExtras(extras string) ([]string, *reqError) {
	if extras == "" {
		return nil, nil
	}
	r, err := pep508.ParseRequirement("placeholder" + extras)
	if err != nil || len(r.Specifier) > 0 || r.URL != "" || r.Marker != nil {
		return nil, &reqError{fmt.Errorf("invalid extras %s", extras), "write extras as [name,other]"}
	}
	return r.Extras, nil
}

// classify fills in Kind, Req, Location, Extras and Marker for a
// non-editable requirement, following pip's parse_req_from_line without
// looking at the disk.
func classify(req *Requirement, text string) *reqError {
	sep := ";"
	if isURL(text) {
		sep = "; "
	}
	name, markerText, hasMarker := strings.Cut(text, sep)
	name = trimSpace(name)
	var marker *pep508.Marker
	if markerText = trimSpace(markerText); hasMarker && markerText != "" {
		m, err := pep508.ParseMarker(markerText)
		if err != nil {
			return &reqError{fmt.Errorf("invalid marker %q: %w", markerText, err), ""}
		}
		marker = m
	}

	if isURL(name) {
		req.Kind, req.Location, req.Marker = KindURL, name, marker
		return nameFromLocation(req, false)
	}
	pathPart, extras := splitExtras(name)
	asPath := false
	switch {
	case isArchive(pathPart):
		// pip: "name @ url.whl" is a URL requirement, not a missing file.
		before, _, at := strings.Cut(name, "@")
		asPath = !at || looksLikePath(before)
	case looksLikePath(name):
		// pip installs a directory here when one exists; otherwise the text
		// must be a requirement. Without the disk, a valid requirement wins.
		_, err := pep508.ParseRequirement(name)
		asPath = err != nil
	}
	if asPath {
		ex, rerr := parseExtras(extras)
		if rerr != nil {
			return rerr
		}
		req.Kind, req.Location, req.Extras, req.Marker = KindPath, pathPart, ex, marker
		return nameFromLocation(req, false)
	}

	r, err := pep508.ParseRequirement(name)
	if err != nil {
		hint := ""
		switch {
		case strings.Contains(name, "/"):
			hint = "it looks like a path; a directory needs setup.py or pyproject.toml, an archive a file name ending in .whl, .tar.gz or .zip"
		case strings.Contains(name, "=") && !strings.ContainsAny(name, "<>!~") && !strings.Contains(name, "=="):
			hint = "= is not a valid operator; did you mean ==?"
		}
		return &reqError{fmt.Errorf("invalid requirement: %w", err), hint}
	}
	if marker != nil {
		r.Marker = marker
	}
	req.Kind, req.Req, req.Name = KindName, &r, pep508.NormalizeName(r.Name)
	return nil
}

// classifyEditable fills in Kind, Location and Extras for -e, following
// pip's parse_editable without looking at the disk: a file: or version
// control URL, else a local directory.
func classifyEditable(req *Requirement, text string) *reqError {
	location, extras := splitExtras(text)
	if strings.HasPrefix(strings.ToLower(location), "file:") {
		ex, rerr := parseExtras(extras)
		if rerr != nil {
			return rerr
		}
		req.Kind, req.Location, req.Extras = KindURL, location, ex
		return nameFromLocation(req, false)
	}
	url := text
	for _, vcs := range []string{"bzr", "git", "hg", "svn"} {
		if strings.HasPrefix(strings.ToLower(url), vcs+":") {
			url = vcs + "+" + url
			break
		}
	}
	if contains(vcsSchemes, urlScheme(url)) {
		req.Kind, req.Location = KindURL, url
		return nameFromLocation(req, true)
	}
	if isURL(location) || strings.Contains(location, "://") {
		return &reqError{errors.New("not a valid editable requirement"), "an editable requirement is a path to a local project or a version control URL such as git+https://..."}
	}
	ex, rerr := parseExtras(extras)
	if rerr != nil {
		return rerr
	}
	req.Kind, req.Location, req.Extras = KindPath, location, ex
	return nil
}

// nameFromLocation sets req.Name from a wheel file name or an #egg=
// fragment, the two places pip takes a name from a URL or path, and
// rejects what pip rejects there. needEgg is pip's rule for editable
// version control URLs.
func nameFromLocation(req *Requirement, needEgg bool) *reqError {
	loc := req.Location
	if egg, ok := eggFragment(loc); ok {
		r, err := pep508.ParseRequirement(egg)
		if err != nil || len(r.Specifier) > 0 || r.URL != "" || r.Marker != nil {
			return &reqError{fmt.Errorf("invalid #egg= name %q", egg), "write #egg=<project name>, or better name @ url"}
		}
		req.Name = pep508.NormalizeName(r.Name)
	}
	if req.Name == "" && needEgg {
		return &reqError{errors.New("cannot tell the project name of an editable version control URL"), "add #egg=<project name> to the URL"}
	}
	file := loc
	if i := strings.IndexAny(file, "?#"); i >= 0 && req.Kind == KindURL {
		file = file[:i]
	}
	file = file[strings.LastIndex(file, "/")+1:]
	if strings.HasSuffix(strings.ToLower(file), ".whl") {
		w, err := wheel.ParseWheel(file)
		if err != nil {
			return &reqError{fmt.Errorf("invalid wheel file name: %w", err), "a wheel is named name-version(-build)?-python-abi-platform.whl"}
		}
		req.Name = w.Name
	}
	return nil
}

// eggFragment returns the value of pip's egg fragment: "#egg=" or "&egg="
// up to the next "&".
func eggFragment(loc string) (string, bool) {
	for i := 0; i+5 <= len(loc); i++ {
		if (loc[i] == '#' || loc[i] == '&') && strings.HasPrefix(loc[i+1:], "egg=") {
			v := loc[i+5:]
			if j := strings.IndexByte(v, '&'); j >= 0 {
				v = v[:j]
			}
			return v, true
		}
	}
	return "", false
}
