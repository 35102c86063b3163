package index

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/bzip2"
	"compress/gzip"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/safepip/safepip/pypa/pep508"
)

// Metadata returns the core metadata (METADATA, or PKG-INFO of an sdist)
// of f, trying in turn:
//  1. the PEP 658/714 metadata file, checked against its published hash
//     (a mismatch is a *HashMismatchError, never skipped);
//  2. for a wheel, HTTP range requests for the zip directory and the
//     METADATA member only;
//  3. a full download, checked against the file's hash.
//
// Results are cached by content hash. The bytes are shared: do not modify.
func (c *Client) Metadata(ctx context.Context, idx Index, f File) ([]byte, error) {
	if err := checkFilename(f.Filename); err != nil {
		return nil, err
	}
	if h := f.CoreMetadataHashes["sha256"]; h != "" {
		if data, ok := c.cacheRead("metadata", h); ok {
			return data, nil
		}
	}
	if h := f.SHA256(); h != "" {
		if data, ok := c.cacheRead("metadata-of", h); ok {
			return data, nil
		}
	}
	v, err := c.shared(ctx, "metadata\x00"+f.URL, func(ctx context.Context) (any, error) { return c.metadata(ctx, idx, f) })
	if err != nil {
		return nil, err
	}
	return v.([]byte), nil
}

func (c *Client) metadata(ctx context.Context, idx Index, f File) ([]byte, error) {
	if f.CoreMetadata {
		data, err := c.metadataFile(ctx, idx, f)
		var ne *NetworkError
		switch {
		case err == nil:
			return data, nil
		case errors.As(err, &ne) && ne.Status == http.StatusNotFound:
			c.opts.Logf("%s.metadata: advertised but missing, reading the file instead", Redact(f.URL))
		default:
			return nil, err
		}
	}
	var data []byte
	var err error
	if f.IsWheel() && !strings.HasPrefix(f.URL, "file:") {
		data, err = c.rangeMetadata(ctx, idx, f)
		if errors.Is(err, errNoRange) {
			c.opts.Logf("%s: %v, downloading the whole file", Redact(f.URL), err)
			data, err = c.downloadMetadata(ctx, idx, f)
		}
	} else {
		data, err = c.downloadMetadata(ctx, idx, f)
	}
	if err != nil {
		return nil, err
	}
	if h := f.SHA256(); h != "" {
		c.cacheWrite("metadata-of", h, data)
	}
	return data, nil
}

// metadataFile fetches and checks the PEP 658 metadata file of f.
func (c *Client) metadataFile(ctx context.Context, idx Index, f File) ([]byte, error) {
	metaURL := f.URL + ".metadata"
	data, err := c.fetchSmall(ctx, idx, metaURL, c.opts.MaxMetadataBytes)
	if err != nil {
		return nil, err
	}
	d := newDigester(f.CoreMetadataHashes)
	d.Write(data)
	if ok, algo, want, got := d.check(f.CoreMetadataHashes); !ok {
		return nil, &HashMismatchError{What: "metadata file", Filename: f.Filename, URL: Redact(metaURL), Algorithm: algo, Want: want, Got: got}
	}
	if len(f.CoreMetadataHashes) == 0 {
		c.opts.Logf("%s: index published no hash for it, unchecked", Redact(metaURL))
	}
	c.cacheWrite("metadata", d.sha256(), data)
	return data, nil
}

// errNoRange says range requests cannot read the file: the server ignored
// them, or the file needs too many.
var errNoRange = errors.New("server does not support range requests")

var errTooManyRanges = fmt.Errorf("%w well enough: too many range requests needed", errNoRange)

// rangeTailBytes is how much of a wheel's end is asked for first: the zip
// directory of most wheels fits.
const rangeTailBytes = 64 << 10

// rangeMetadata reads METADATA from a remote wheel with range requests.
func (c *Client) rangeMetadata(ctx context.Context, idx Index, f File) ([]byte, error) {
	r := &rangeReader{ctx: ctx, c: c, idx: idx, url: f.URL, maxBytes: 2*c.opts.MaxMetadataBytes + rangeTailBytes}
	if err := r.loadTail(f.Size); err != nil {
		return nil, err
	}
	if err := r.loadDirectory(); err != nil {
		return nil, err
	}
	zr, err := zip.NewReader(r, r.size)
	if err != nil {
		return nil, c.rangeError(idx, f, err)
	}
	data, err := wheelMetadata(zr, f.Filename, c.opts.MaxMetadataBytes)
	if err != nil {
		return nil, c.rangeError(idx, f, err)
	}
	c.opts.Logf("%s: METADATA read with %d range requests", Redact(f.URL), r.requests)
	return data, nil
}

func (c *Client) rangeError(idx Index, f File, err error) error {
	var pe *PageError
	var ne *NetworkError
	if errors.As(err, &pe) || errors.As(err, &ne) {
		return err
	}
	return &PageError{Index: idx.Name, URL: Redact(f.URL), Err: fmt.Errorf("reading wheel %s: %w", f.Filename, err)}
}

// rangeReader is an io.ReaderAt over a remote file, reading chunks with
// range requests and keeping them.
type rangeReader struct {
	ctx      context.Context
	c        *Client
	idx      Index
	url      string
	size     int64
	chunks   []chunk
	requests int
	fetched  int64
	maxBytes int64 // a hostile zip must not make us read the whole file
}

type chunk struct {
	off  int64
	data []byte
}

// minRangeBytes is the smallest range asked for: zip reads are small.
const minRangeBytes = 64 << 10

// loadTail asks for the last bytes of the file and learns its size.
func (r *rangeReader) loadTail(knownSize int64) error {
	n := int64(rangeTailBytes)
	if knownSize > 0 {
		n = min(n, knownSize)
	}
	off, total, data, err := r.fetch("bytes=-" + strconv.FormatInt(n, 10))
	if err != nil {
		return err
	}
	if knownSize > 0 && total != knownSize {
		return &PageError{Index: r.idx.Name, URL: Redact(r.url), Err: fmt.Errorf("file is %d bytes, index said %d", total, knownSize)}
	}
	r.size = total
	r.chunks = append(r.chunks, chunk{off, data})
	return nil
}

// maxRangeRequests bounds the range requests for one wheel: the tail, the
// zip directory when the tail does not hold it, and the METADATA member
// usually suffice.
const maxRangeRequests = 8

// loadDirectory reads the end-of-central-directory record from the tail
// and fetches the whole zip directory in one request when the tail does
// not hold it, so archive/zip's small reads cost no requests. Zip64 and
// damaged records are left to archive/zip.
func (r *rangeReader) loadDirectory() error {
	tail := r.chunks[0]
	i := bytes.LastIndex(tail.data, []byte("PK\x05\x06"))
	if i < 0 || len(tail.data)-i < 22 {
		return nil
	}
	rec := tail.data[i:]
	size := int64(binary.LittleEndian.Uint32(rec[12:16]))
	off := int64(binary.LittleEndian.Uint32(rec[16:20]))
	if off == 0xffffffff || off >= tail.off || off+size > r.size {
		return nil
	}
	start, _, data, err := r.fetch(fmt.Sprintf("bytes=%d-%d", off, tail.off-1))
	if err != nil {
		return err
	}
	if start != off {
		return &PageError{Index: r.idx.Name, URL: Redact(r.url), Err: fmt.Errorf("asked for bytes from %d, got from %d", off, start)}
	}
	r.chunks = append(r.chunks, chunk{start, data})
	return nil
}

// fetch sends one range request and returns the range served.
func (r *rangeReader) fetch(rangeHeader string) (off, total int64, data []byte, err error) {
	if r.requests >= maxRangeRequests || r.fetched > r.maxBytes {
		return 0, 0, nil, errTooManyRanges
	}
	r.requests++
	ctx, cancel := r.c.bounded(r.ctx)
	defer cancel()
	resp, err := r.c.get(ctx, r.idx, r.url, http.Header{"Range": {rangeHeader}, "Accept-Encoding": {"identity"}})
	if err != nil {
		return 0, 0, nil, err
	}
	defer resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusPartialContent:
	case http.StatusOK, http.StatusRequestedRangeNotSatisfiable:
		return 0, 0, nil, errNoRange
	default:
		return 0, 0, nil, resp.statusError(r.idx)
	}
	start, end, total, ok := parseContentRange(resp.Header.Get("Content-Range"))
	if !ok || end-start+1 > r.maxBytes {
		return 0, 0, nil, &PageError{Index: r.idx.Name, URL: resp.url, Err: fmt.Errorf("bad Content-Range %q", truncate(resp.Header.Get("Content-Range")))}
	}
	data, err = io.ReadAll(io.LimitReader(resp.Body, end-start+1))
	if err != nil {
		return 0, 0, nil, &NetworkError{Index: r.idx.Name, URL: resp.url, Status: resp.StatusCode, Err: err}
	}
	if int64(len(data)) != end-start+1 {
		return 0, 0, nil, &NetworkError{Index: r.idx.Name, URL: resp.url, Status: resp.StatusCode, Err: io.ErrUnexpectedEOF}
	}
	r.fetched += int64(len(data))
	return start, total, data, nil
}

// parseContentRange parses "bytes <start>-<end>/<total>".
func parseContentRange(s string) (start, end, total int64, ok bool) {
	rest, found := strings.CutPrefix(s, "bytes ")
	if !found {
		return 0, 0, 0, false
	}
	rng, tot, found := strings.Cut(rest, "/")
	a, b, found2 := strings.Cut(rng, "-")
	if !found || !found2 {
		return 0, 0, 0, false
	}
	var err1, err2, err3 error
	start, err1 = strconv.ParseInt(a, 10, 64)
	end, err2 = strconv.ParseInt(b, 10, 64)
	total, err3 = strconv.ParseInt(tot, 10, 64)
	if err1 != nil || err2 != nil || err3 != nil || start < 0 || end < start || total <= end {
		return 0, 0, 0, false
	}
	return start, end, total, true
}

func (r *rangeReader) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, errors.New("negative offset")
	}
	n := 0
	for n < len(p) {
		pos := off + int64(n)
		if pos >= r.size {
			return n, io.EOF
		}
		if c := r.find(pos); c != nil {
			n += copy(p[n:], c.data[pos-c.off:])
			continue
		}
		end := min(pos+max(int64(len(p)-n), minRangeBytes), r.size) - 1
		start, _, data, err := r.fetch(fmt.Sprintf("bytes=%d-%d", pos, end))
		if err != nil {
			return n, err
		}
		if start != pos {
			return n, &PageError{Index: r.idx.Name, URL: Redact(r.url), Err: fmt.Errorf("asked for bytes from %d, got from %d", pos, start)}
		}
		r.chunks = append(r.chunks, chunk{start, data})
	}
	return n, nil
}

func (r *rangeReader) find(pos int64) *chunk {
	for i := range r.chunks {
		c := &r.chunks[i]
		if c.off <= pos && pos < c.off+int64(len(c.data)) {
			return c
		}
	}
	return nil
}

// wheelMetadata returns the METADATA of the wheel's .dist-info directory,
// preferring the one named after the wheel's project when there are several.
func wheelMetadata(zr *zip.Reader, filename string, limit int64) ([]byte, error) {
	project, _, _ := strings.Cut(filename, "-")
	project = pep508.NormalizeName(project)
	var found *zip.File
	for _, zf := range zr.File {
		dir, ok := strings.CutSuffix(zf.Name, ".dist-info/METADATA")
		if !ok || strings.Contains(dir, "/") {
			continue
		}
		name, _, _ := strings.Cut(dir, "-")
		if found == nil || pep508.NormalizeName(name) == project {
			found = zf
		}
	}
	if found == nil {
		return nil, errors.New("no .dist-info/METADATA in the wheel")
	}
	return readMember(found, limit)
}

func readMember(zf *zip.File, limit int64) ([]byte, error) {
	if zf.UncompressedSize64 > uint64(limit) {
		return nil, fmt.Errorf("%s is %d bytes, more than the %d allowed", zf.Name, zf.UncompressedSize64, limit)
	}
	rc, err := zf.Open()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", zf.Name, err)
	}
	defer rc.Close()
	data, err := io.ReadAll(io.LimitReader(rc, limit+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", zf.Name, err)
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("%s is more than the %d bytes allowed", zf.Name, limit)
	}
	return data, nil
}

// downloadMetadata downloads f whole (checked against its hash) and reads
// its metadata.
func (c *Client) downloadMetadata(ctx context.Context, idx Index, f File) ([]byte, error) {
	path, cleanup, err := c.localCopy(ctx, idx, f)
	if err != nil {
		return nil, err
	}
	defer cleanup()
	data, err := fileMetadata(path, f.Filename, c.opts.MaxMetadataBytes)
	if err != nil {
		return nil, &PageError{Index: idx.Name, URL: Redact(f.URL), Err: fmt.Errorf("reading %s: %w", f.Filename, err)}
	}
	return data, nil
}

// localCopy returns a verified local copy of f: the file itself for
// file:// URLs (hash-checked), the cache entry, or a temporary download.
func (c *Client) localCopy(ctx context.Context, idx Index, f File) (string, func(), error) {
	noop := func() {}
	if c.opts.CacheDir != "" {
		path, err := c.DownloadToCache(ctx, idx, f)
		return path, noop, err
	}
	tmp, err := os.CreateTemp("", "safepip-*-"+f.Filename)
	if err != nil {
		return "", noop, err
	}
	cleanup := func() { tmp.Close(); os.Remove(tmp.Name()) }
	if _, err := c.Download(ctx, idx, f, tmp); err != nil {
		cleanup()
		return "", noop, err
	}
	return tmp.Name(), cleanup, nil
}

// fileMetadata reads the metadata of a local wheel or sdist.
func fileMetadata(path, filename string, limit int64) ([]byte, error) {
	lower := strings.ToLower(filename)
	fh, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	info, err := fh.Stat()
	if err != nil {
		return nil, err
	}
	switch {
	case strings.HasSuffix(lower, ".whl"):
		zr, err := zip.NewReader(fh, info.Size())
		if err != nil {
			return nil, err
		}
		return wheelMetadata(zr, filename, limit)
	case strings.HasSuffix(lower, ".zip"):
		zr, err := zip.NewReader(fh, info.Size())
		if err != nil {
			return nil, err
		}
		for _, zf := range zr.File {
			if isTopPKGInfo(zf.Name) {
				return readMember(zf, limit)
			}
		}
		return nil, errors.New("no PKG-INFO at the top of the sdist")
	case strings.HasSuffix(lower, ".tar.gz"), strings.HasSuffix(lower, ".tgz"):
		gz, err := gzip.NewReader(fh)
		if err != nil {
			return nil, err
		}
		return tarPKGInfo(gz, limit)
	case strings.HasSuffix(lower, ".tar.bz2"), strings.HasSuffix(lower, ".tbz"):
		return tarPKGInfo(bzip2.NewReader(fh), limit)
	case strings.HasSuffix(lower, ".tar"):
		return tarPKGInfo(fh, limit)
	}
	return nil, fmt.Errorf("cannot read metadata from %q: not a wheel, .zip, .tar.gz or .tar.bz2", filename)
}

func isTopPKGInfo(name string) bool {
	dir, ok := strings.CutSuffix(name, "/PKG-INFO")
	return ok && dir != "" && !strings.Contains(dir, "/")
}

func tarPKGInfo(r io.Reader, limit int64) ([]byte, error) {
	tr := tar.NewReader(r)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return nil, errors.New("no PKG-INFO at the top of the sdist")
		}
		if err != nil {
			return nil, err
		}
		if !isTopPKGInfo(strings.TrimPrefix(h.Name, "./")) || h.Typeflag != tar.TypeReg {
			continue
		}
		if h.Size > limit {
			return nil, fmt.Errorf("PKG-INFO is %d bytes, more than the %d allowed", h.Size, limit)
		}
		return io.ReadAll(io.LimitReader(tr, limit))
	}
}

// Download writes f to w, hashing as it streams, and returns the sha256 of
// what was written. When the digest differs from the one the index
// published, it returns a *HashMismatchError and the caller must discard
// what w received. Use DownloadToCache to never see unverified bytes.
func (c *Client) Download(ctx context.Context, idx Index, f File, w io.Writer) (string, error) {
	if err := checkFilename(f.Filename); err != nil {
		return "", err
	}
	var body io.ReadCloser
	where := Redact(f.URL)
	if strings.HasPrefix(f.URL, "file:") {
		path, err := localPath(f.URL)
		if err != nil {
			return "", &PageError{Index: idx.Name, URL: where, Err: err}
		}
		fh, err := os.Open(path)
		if err != nil {
			return "", &PageError{Index: idx.Name, URL: where, Err: err}
		}
		body = fh
	} else {
		resp, err := c.get(ctx, idx, f.URL, http.Header{"Accept-Encoding": {"identity"}})
		if err != nil {
			return "", err
		}
		if resp.StatusCode != http.StatusOK {
			resp.Body.Close()
			return "", resp.statusError(idx)
		}
		if resp.ContentLength > c.opts.MaxFileBytes {
			resp.Body.Close()
			return "", &PageError{Index: idx.Name, URL: where, Err: &TooLargeError{URL: where, LimitBytes: c.opts.MaxFileBytes}}
		}
		body = resp.Body
	}
	defer body.Close()
	d := newDigester(f.Hashes)
	dst := &recordingWriter{w: w}
	n, err := io.Copy(io.MultiWriter(dst, d), io.LimitReader(body, c.opts.MaxFileBytes+1))
	if dst.err != nil {
		// w failed, not the index: a full or read-only disk is no reason
		// to retry the download (the caller's error names the file)
		return "", dst.err
	}
	if err != nil {
		return "", &NetworkError{Index: idx.Name, URL: where, Err: err}
	}
	if n > c.opts.MaxFileBytes {
		return "", &PageError{Index: idx.Name, URL: where, Err: &TooLargeError{URL: where, LimitBytes: c.opts.MaxFileBytes}}
	}
	if f.Size > 0 && n != f.Size {
		return "", &PageError{Index: idx.Name, URL: where, Err: fmt.Errorf("%s is %d bytes, index said %d", f.Filename, n, f.Size)}
	}
	if ok, algo, want, got := d.check(f.Hashes); !ok {
		return "", &HashMismatchError{What: "file", Filename: f.Filename, URL: where, Algorithm: algo, Want: want, Got: got}
	}
	return d.sha256(), nil
}

// recordingWriter keeps the error of w, so that a failed copy can tell the
// writer's failure from the reader's.
type recordingWriter struct {
	w   io.Writer
	err error
}

func (r *recordingWriter) Write(p []byte) (int, error) {
	n, err := r.w.Write(p)
	if err != nil {
		r.err = err
	}
	return n, err
}

// DownloadToCache stores f in the cache (Options.CacheDir must be set) as
// files/<sha256>, verified, and returns its path. A file already there is
// not downloaded again.
func (c *Client) DownloadToCache(ctx context.Context, idx Index, f File) (string, error) {
	if c.opts.CacheDir == "" {
		return "", errors.New("DownloadToCache needs Options.CacheDir")
	}
	dir := filepath.Join(c.opts.CacheDir, "files")
	if h := f.SHA256(); h != "" {
		if _, err := os.Stat(filepath.Join(dir, h)); err == nil {
			return filepath.Join(dir, h), nil
		}
	}
	v, err := c.shared(ctx, "download\x00"+f.URL, func(ctx context.Context) (any, error) {
		return c.downloadToCache(ctx, idx, f, dir)
	})
	if err != nil {
		return "", err
	}
	return v.(string), nil
}

// downloadToCache streams f into a temporary file in dir and renames it
// to its sha256 once verified; on any error the temporary file is removed.
func (c *Client) downloadToCache(ctx context.Context, idx Index, f File, dir string) (path string, err error) {
	// Errors of the cache itself name the file; Download's own errors
	// already do (and name the index).
	local := func(err error) error { return fmt.Errorf("caching %s in %s: %w", f.Filename, dir, err) }
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", local(err)
	}
	tmp, err := os.CreateTemp(dir, ".tmp-download-*")
	if err != nil {
		return "", local(err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	sum, err := c.Download(ctx, idx, f, tmp)
	var pathErr *os.PathError
	if errors.As(err, &pathErr) && pathErr.Path == tmp.Name() {
		return "", local(err)
	}
	if err != nil {
		return "", err
	}
	if err = tmp.Sync(); err != nil {
		return "", local(err)
	}
	if err = tmp.Close(); err != nil {
		return "", local(err)
	}
	path = filepath.Join(dir, sum)
	if err = os.Rename(tmp.Name(), path); err != nil {
		return "", local(err)
	}
	return path, nil
}
