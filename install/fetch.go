package install

import (
	"archive/zip"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"golang.org/x/sync/errgroup"

	"github.com/safepip/safepip/index"
	"github.com/safepip/safepip/lock"
	"github.com/safepip/safepip/pypa/metadata"
	"github.com/safepip/safepip/pypa/pep440"
	"github.com/safepip/safepip/pypa/pep508"
	"github.com/safepip/safepip/verify"
)

// Fetcher downloads locked files into the content-addressed cache.
type Fetcher interface {
	DownloadToCache(ctx context.Context, idx index.Index, f index.File) (string, error)
}

// IndexFor gives the index (with credentials) and the expanded URL for a
// locked file.
type IndexFor func(p *lock.Package, d lock.Dist) (index.Index, string, error)

// HashMismatchError is a file whose bytes are not the locked ones.
type HashMismatchError struct {
	Package string
	File    string
	URL     string // credentials removed
	Want    string
	Got     string
	inCache bool // the bad bytes were a cache entry, now removed
}

func (e *HashMismatchError) Error() string {
	return fmt.Sprintf("%s: %s does not match the lock\n    expected sha256 %s\n    got      sha256 %s\nfrom %s\nthe index (or a proxy, or the cache) serves other bytes than were locked: someone may have replaced the file; do not install it, and relock only once you know why",
		e.Package, e.File, e.Want, e.Got, e.URL)
}

// MetadataMismatchError is a wheel whose own METADATA disagrees with what
// the lock was resolved from (a PEP 658 sidecar can lie).
type MetadataMismatchError struct {
	Package string
	File    string
	Field   string
	Locked  string
	InWheel string
}

func (e *MetadataMismatchError) Error() string {
	return fmt.Sprintf("%s: %s: the wheel's METADATA disagrees with the lock on %s\n    locked   %s\n    in wheel %s\nthe metadata the index served when locking was not the wheel's own; do not install it",
		e.Package, e.File, e.Field, e.Locked, e.InWheel)
}

// Fetched is a chosen file, verified, on disk.
type Fetched struct {
	Choice
	Path string // "" for a Source package: there is no file to fetch
}

// Fetch downloads every chosen file (at most parallel at a time; files
// already in the cache are not fetched again), then re-hashes each one on
// disk and checks a wheel's METADATA against the lock. Only when every
// file passes does it return them, one per choice in order.
//
// Choices of build dependencies (SelectBuild) and sdists to build are
// fetched and checked like any other; a Source package (a directory or a
// git commit) has nothing to fetch and comes back without a Path.
func Fetch(ctx context.Context, fetcher Fetcher, where IndexFor, choices []Choice, env pep508.Environment, parallel int) ([]Fetched, error) {
	if parallel <= 0 {
		parallel = 8
	}
	out := make([]Fetched, len(choices))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(parallel)
	for i, c := range choices {
		if c.Package.Source != nil {
			out[i] = Fetched{Choice: c}
			continue
		}
		g.Go(func() error {
			idx, url, err := where(c.Package, c.File)
			if err != nil {
				return err
			}
			// Size is left out on purpose: a file of another size is a hash
			// mismatch, a check failure, not an index fault.
			f := index.File{Filename: c.File.Name, URL: url, Hashes: map[string]string{"sha256": c.File.SHA256}}
			path, err := download(gctx, fetcher, idx, f, c)
			if err != nil {
				return err
			}
			if err := checkFile(c, path, env); err != nil {
				var hm *HashMismatchError
				if !errors.As(err, &hm) || !hm.inCache {
					return err
				}
				// The cache held other bytes under this hash (a disk
				// fault, an edit): checkFile removed them; fetch again.
				if path, err = download(gctx, fetcher, idx, f, c); err != nil {
					return err
				}
				if err := checkFile(c, path, env); err != nil {
					return err
				}
			}
			out[i] = Fetched{Choice: c, Path: path}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return out, nil
}

func download(ctx context.Context, fetcher Fetcher, idx index.Index, f index.File, c Choice) (string, error) {
	path, err := fetcher.DownloadToCache(ctx, idx, f)
	var hm *index.HashMismatchError
	if errors.As(err, &hm) {
		return "", &HashMismatchError{Package: c.Package.Name, File: c.File.Name, URL: hm.URL, Want: hm.Want, Got: hm.Got}
	}
	return path, err
}

// checkFile re-hashes a cached file (the cache is a directory anyone with
// access could edit) and compares a wheel's METADATA with the lock.
func checkFile(c Choice, path string, env pep508.Environment) error {
	got, err := verify.FileSHA256(path)
	if err != nil {
		return err
	}
	if got != c.File.SHA256 {
		// A corrupted cache entry must not be found again by the next run.
		os.Remove(path)
		return &HashMismatchError{Package: c.Package.Name, File: c.File.Name, URL: "the cache (" + path + ")", Want: c.File.SHA256, Got: got, inCache: true}
	}
	if c.Sdist {
		return nil
	}
	return checkWheelMetadata(c, path, env)
}

// maxMetadataBytes bounds the METADATA member read from a wheel.
const maxMetadataBytes = 16 << 20

func checkWheelMetadata(c Choice, path string, env pep508.Environment) error {
	zr, err := zip.OpenReader(path)
	if err != nil {
		return fmt.Errorf("%s: %s is not a valid wheel: %w", c.Package.Name, c.File.Name, err)
	}
	defer zr.Close()
	var data []byte
	for _, f := range zr.File {
		dir, name, ok := strings.Cut(f.Name, "/")
		if !ok || name != "METADATA" || !strings.HasSuffix(dir, ".dist-info") || strings.Contains(name, "/") {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			return err
		}
		data, err = io.ReadAll(io.LimitReader(rc, maxMetadataBytes+1))
		rc.Close()
		if err != nil {
			return err
		}
		break
	}
	if data == nil || len(data) > maxMetadataBytes {
		return fmt.Errorf("%s: %s has no readable .dist-info/METADATA", c.Package.Name, c.File.Name)
	}
	md, err := metadata.Parse(c.File.Name+" METADATA", data)
	if err != nil {
		return err
	}
	mismatch := func(field, locked, inWheel string) error {
		return &MetadataMismatchError{Package: c.Package.Name, File: c.File.Name, Field: field, Locked: locked, InWheel: inWheel}
	}
	p := c.Package
	if pep508.NormalizeName(md.Name) != p.Name {
		return mismatch("Name", p.Name, md.Name)
	}
	if v, err := pep440.Parse(p.Version); err != nil || v.Compare(md.Version) != 0 {
		return mismatch("Version", p.Version, md.Version.String())
	}
	if want, got := p.RequiresPython, md.RequiresPython.String(); !sameSpecifiers(want, got) {
		return mismatch("Requires-Python", want, got)
	}
	// Every dependency the wheel has here, without extras, must be one the
	// lock resolved: otherwise the lock was made from other metadata.
	deps, err := md.DependenciesFor(env, nil)
	if err != nil {
		return err
	}
	for _, r := range deps {
		if n := pep508.NormalizeName(r.Name); n != p.Name && !slices.Contains(p.Dependencies, n) {
			return mismatch("Requires-Dist", "["+strings.Join(p.Dependencies, ", ")+"]", r.String())
		}
	}
	return nil
}

func sameSpecifiers(a, b string) bool {
	sa, errA := pep440.ParseSpecifierSet(a)
	sb, errB := pep440.ParseSpecifierSet(b)
	if errA != nil || errB != nil {
		return a == b
	}
	return sa.String() == sb.String()
}
