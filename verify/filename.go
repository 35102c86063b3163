package verify

import (
	"fmt"
	"slices"
	"strings"
)

// distKey returns a comparison key for a wheel or sdist filename: the
// normalized project name, the version, the build tag and, for wheels, the
// sorted expanded tag set (so "manylinux2014_x86_64.manylinux_2_17_x86_64"
// equals the other order), for sdists the archive extension.
//
// The version is compared as written, up to ASCII case, not in PEP 440
// normal form: "1.0" and "1.0.0" (equal in PEP 440) give different keys.
// That can only refuse an attestation that a full normalization would accept,
// never accept a wrong one, and an attestation's subject is the uploaded
// filename itself.
func distKey(filename string) (string, error) {
	if base, ok := strings.CutSuffix(filename, ".whl"); ok {
		parts := strings.Split(base, "-")
		if len(parts) != 5 && len(parts) != 6 {
			return "", fmt.Errorf("wheel filename %q: want name-version[-build]-python-abi-platform.whl", filename)
		}
		name, version := parts[0], parts[1]
		build := ""
		if len(parts) == 6 {
			build = parts[2]
			if build == "" || build[0] < '0' || build[0] > '9' {
				return "", fmt.Errorf("wheel filename %q: build tag %q must start with a digit", filename, build)
			}
		}
		py, abi, plat := parts[len(parts)-3], parts[len(parts)-2], parts[len(parts)-1]
		var tags []string
		for _, i := range strings.Split(py, ".") {
			for _, a := range strings.Split(abi, ".") {
				for _, p := range strings.Split(plat, ".") {
					if i == "" || a == "" || p == "" {
						return "", fmt.Errorf("wheel filename %q: empty tag", filename)
					}
					tags = append(tags, strings.ToLower(i+"-"+a+"-"+p))
				}
			}
		}
		slices.Sort(tags)
		tags = slices.Compact(tags)
		n, err := normalizeDistName(filename, name)
		if err != nil {
			return "", err
		}
		if err := checkVersionText(filename, version); err != nil {
			return "", err
		}
		return "wheel " + n + " " + strings.ToLower(version) + " " + build + " " + strings.Join(tags, " "), nil
	}
	for _, ext := range []string{".tar.gz", ".zip"} {
		base, ok := strings.CutSuffix(filename, ext)
		if !ok {
			continue
		}
		i := strings.LastIndexByte(base, '-')
		if i < 0 {
			return "", fmt.Errorf("sdist filename %q: want name-version%s", filename, ext)
		}
		n, err := normalizeDistName(filename, base[:i])
		if err != nil {
			return "", err
		}
		version := base[i+1:]
		if err := checkVersionText(filename, version); err != nil {
			return "", err
		}
		return "sdist" + ext + " " + n + " " + strings.ToLower(version), nil
	}
	return "", fmt.Errorf("%q is neither a wheel (.whl) nor an sdist (.tar.gz, .zip) filename", filename)
}

// normalizeDistName returns the PEP 503 form of a project name: lower case,
// each run of "-", "_" and "." replaced by one "-".
func normalizeDistName(filename, name string) (string, error) {
	var b strings.Builder
	sep := false
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case 'a' <= c && c <= 'z' || '0' <= c && c <= '9':
		case 'A' <= c && c <= 'Z':
			c += 'a' - 'A'
		case c == '-' || c == '_' || c == '.':
			sep = true
			continue
		default:
			return "", fmt.Errorf("filename %q: character %q not allowed in a project name", filename, c)
		}
		if sep && b.Len() > 0 {
			b.WriteByte('-')
		}
		sep = false
		b.WriteByte(c)
	}
	if b.Len() == 0 || sep || !isAlnum(name[0]) {
		return "", fmt.Errorf("filename %q: project name %q must start and end with a letter or digit", filename, name)
	}
	return b.String(), nil
}

func checkVersionText(filename, version string) error {
	if version == "" {
		return fmt.Errorf("filename %q: empty version", filename)
	}
	for i := 0; i < len(version); i++ {
		c := version[i]
		if !isAlnum(c) && c != '.' && c != '!' && c != '+' && c != '_' {
			return fmt.Errorf("filename %q: character %q not allowed in a version", filename, c)
		}
	}
	return nil
}

func isAlnum(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}
