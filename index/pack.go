package index

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// A pack, packs/<unix nanos, 20 digits>-<random>.pack, holds many small
// cache entries: one file per run instead of one per entry, because
// creating hundreds of small files cost a cold lock more than its reads.
//
//	entry bytes, back to back
//	index: one line per entry, "kind\tname\toffset\tlength\tsha256hex\n"
//	trailer (packTrailerLen bytes): index offset and length (big-endian
//	uint64 each), the index's sha256, then packMagic
//
// A pack is written as packs/.tmp-<random> and renamed whole; entries are
// not synced, since each is checked against its sha256 when read. The
// newest pack (by name) wins when two hold the same key.

const (
	packMagic      = "safepip-pack-1\n"
	packTrailerLen = int64(8 + 8 + sha256.Size + len(packMagic))
	maxPackIndex   = 64 << 20
	maxPacks       = 8 // more, and Flush merges them into one
)

// mapPacks maps packs into memory where the system can; tests turn it off
// to cover the ReadAt path that other systems take.
var mapPacks = true

type packKey struct{ kind, name string }

type packLoc struct {
	f      *os.File
	mapped []byte // the pack's entries mapped into memory; nil: use ReadAt on f
	off, n int64
	sum    [sha256.Size]byte
}

// packStore is a Client's view of packs/: what earlier runs flushed, read
// once, and what this client wrote, kept in memory until Flush.
type packStore struct {
	mu      sync.Mutex
	loaded  bool
	index   map[packKey]packLoc
	files   []*os.File
	tmp     *os.File // pack being written, nil when nothing is pending
	tmpOff  int64
	pending []packEntry
	mem     map[packKey][]byte // this run's entries, readable at once
}

type packEntry struct {
	key    packKey
	off, n int64
	sum    [sha256.Size]byte
}

func packDir(cacheDir string) string { return filepath.Join(cacheDir, "packs") }

func randomName() string {
	var b [8]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// packRead returns an entry from this run's writes or from a flushed pack.
func (c *Client) packRead(kind, name string) ([]byte, bool) {
	s := &c.pack
	k := packKey{kind, name}
	s.mu.Lock()
	if data, ok := s.mem[k]; ok {
		s.mu.Unlock()
		return data, true
	}
	if !s.loaded {
		s.loaded = true
		s.index, s.files = loadPacks(packDir(c.opts.CacheDir), c.opts.Logf)
	}
	loc, ok := s.index[k]
	s.mu.Unlock()
	if !ok {
		return nil, false
	}
	var data []byte
	if loc.mapped != nil {
		// Read-only memory: a caller that wrote to it would crash, and
		// none does (entries are parsed or hashed, never edited).
		data = loc.mapped[loc.off : loc.off+loc.n : loc.off+loc.n]
	} else {
		data = make([]byte, loc.n)
		if _, err := loc.f.ReadAt(data, loc.off); err != nil {
			c.opts.Logf("cache: reading %s %s from %s: %v", kind, name, loc.f.Name(), err)
			return nil, false
		}
	}
	if sha256.Sum256(data) != loc.sum {
		c.opts.Logf("cache: ignoring %s entry %s in %s: its content does not match its sha256", kind, name, loc.f.Name())
		return nil, false
	}
	return data, true
}

// packWrite appends an entry to this client's pending pack.
func (c *Client) packWrite(kind, name string, data []byte) {
	s := &c.pack
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.tmp == nil {
		dir := packDir(c.opts.CacheDir)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			c.opts.Logf("cache: %v", err)
			return
		}
		f, err := os.CreateTemp(dir, ".tmp-*")
		if err != nil {
			c.opts.Logf("cache: %v", err)
			return
		}
		s.tmp, s.tmpOff = f, 0
	}
	if _, err := s.tmp.Write(data); err != nil {
		c.opts.Logf("cache: writing %s: %v", s.tmp.Name(), err)
		s.discardLocked()
		return
	}
	k := packKey{kind, name}
	s.pending = append(s.pending, packEntry{key: k, off: s.tmpOff, n: int64(len(data)), sum: sha256.Sum256(data)})
	s.tmpOff += int64(len(data))
	if s.mem == nil {
		s.mem = make(map[packKey][]byte)
	}
	s.mem[k] = slices.Clone(data)
}

func (s *packStore) discardLocked() {
	if s.tmp != nil {
		s.tmp.Close()
		os.Remove(s.tmp.Name())
	}
	s.tmp, s.tmpOff, s.pending = nil, 0, nil
}

// Flush waits for requests that every caller abandoned to end, then makes
// what this client wrote to its cache visible to other clients and
// processes: it completes the pending pack and renames it into place. Errors are logged, never returned: the cache only saves
// work. The client stays usable; Flush with nothing pending does nothing.
func (c *Client) Flush() {
	c.work.Wait() // shared requests every caller left end first (sharedDup)
	if c.opts.CacheDir == "" {
		return
	}
	s := &c.pack
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.tmp == nil {
		return
	}
	var idx bytes.Buffer
	for _, e := range s.pending {
		idx.WriteString(e.indexLine(e.off))
	}
	if _, err := s.tmp.Write(packTail(idx.Bytes(), s.tmpOff)); err != nil {
		c.opts.Logf("cache: writing %s: %v", s.tmp.Name(), err)
		s.discardLocked()
		return
	}
	tmp := s.tmp.Name()
	err := s.tmp.Close()
	s.tmp, s.tmpOff, s.pending = nil, 0, nil
	if err == nil {
		err = os.Rename(tmp, filepath.Join(packDir(c.opts.CacheDir), packName(time.Now().UnixNano())))
	}
	if err != nil {
		os.Remove(tmp)
		c.opts.Logf("cache: %v", err)
		return
	}
	compactPacks(packDir(c.opts.CacheDir), time.Now(), c.opts.Logf)
}

// indexLine is e's line in a pack index, for its data at off.
func (e packEntry) indexLine(off int64) string {
	return fmt.Sprintf("%s\t%s\t%d\t%d\t%x\n", e.key.kind, e.key.name, off, e.n, e.sum)
}

func packName(nanos int64) string {
	return fmt.Sprintf("%020d-%s.pack", nanos, randomName())
}

// compactPacks merges the packs in dir into one when there are more than
// maxPacks, and removes temporary files older than an hour, which only a
// crashed run leaves behind.
//
// Other processes may flush or compact at the same time. The merged pack
// is renamed into place before the packs it holds are removed, and only
// packs read in full are removed, so no entry is ever lost; two
// compactions at once at worst leave duplicates. The merged pack takes
// the time of the newest pack it holds, so that a pack flushed meanwhile
// still sorts after it and wins.
func compactPacks(dir string, now time.Time, logf func(string, ...any)) {
	tmps, _ := filepath.Glob(filepath.Join(dir, ".tmp-*"))
	for _, name := range tmps {
		if st, err := os.Stat(name); err == nil && now.Sub(st.ModTime()) > time.Hour {
			os.Remove(name)
		}
	}
	names, _ := filepath.Glob(filepath.Join(dir, "*.pack"))
	if len(names) <= maxPacks {
		return
	}
	slices.Sort(names)
	if err := mergePacks(dir, names, logf); err != nil {
		logf("cache: compacting %s: %v", dir, err)
	}
}

func mergePacks(dir string, names []string, logf func(string, ...any)) (err error) {
	out, err := os.CreateTemp(dir, ".tmp-*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			out.Close()
			os.Remove(out.Name())
		}
	}()
	var (
		idx    bytes.Buffer
		off    int64
		seen   = make(map[packKey]bool)
		merged []string // read in full: safe to remove once out is in place
		newest string
	)
	for _, name := range slices.Backward(names) { // newest first: it wins
		f, err := os.Open(name)
		if err != nil {
			continue // vanished: another process merged it
		}
		entries, err := readPackIndex(f)
		if err != nil {
			f.Close()
			logf("cache: ignoring %s: %v", name, err)
			// Unreadable now and forever: let it go with the rest.
			merged = append(merged, name)
			continue
		}
		for _, e := range entries {
			if seen[e.key] {
				continue
			}
			data := make([]byte, e.n)
			if _, err := f.ReadAt(data, e.off); err != nil || sha256.Sum256(data) != e.sum {
				logf("cache: dropping %s entry %s of %s: its content does not match its sha256", e.key.kind, e.key.name, name)
				continue
			}
			if _, err := out.Write(data); err != nil {
				f.Close()
				return err
			}
			seen[e.key] = true
			idx.WriteString(e.indexLine(off))
			off += e.n
		}
		f.Close()
		merged = append(merged, name)
		if newest == "" {
			newest = name
		}
	}
	if newest == "" {
		return fmt.Errorf("no pack could be read")
	}
	if _, err := out.Write(packTail(idx.Bytes(), off)); err != nil {
		return err
	}
	if err := out.Close(); err != nil {
		return err
	}
	nanos, _ := strconv.ParseInt(strings.SplitN(filepath.Base(newest), "-", 2)[0], 10, 64)
	if err := os.Rename(out.Name(), filepath.Join(dir, packName(nanos))); err != nil {
		return err
	}
	for _, name := range merged {
		os.Remove(name)
	}
	return nil
}

// packTail returns the index followed by the trailer, for an index that
// starts at off.
func packTail(idx []byte, off int64) []byte {
	sum := sha256.Sum256(idx)
	out := slices.Clone(idx)
	out = binary.BigEndian.AppendUint64(out, uint64(off))
	out = binary.BigEndian.AppendUint64(out, uint64(len(idx)))
	out = append(out, sum[:]...)
	return append(out, packMagic...)
}

// loadPacks reads every pack's index; the newest pack wins for a key. A
// pack that does not verify is ignored.
func loadPacks(dir string, logf func(string, ...any)) (map[packKey]packLoc, []*os.File) {
	index := make(map[packKey]packLoc)
	names, _ := filepath.Glob(filepath.Join(dir, "*.pack"))
	slices.Sort(names)
	var files []*os.File
	for _, name := range names {
		f, err := os.Open(name)
		if err != nil {
			continue // vanished: another process compacted it
		}
		entries, err := readPackIndex(f)
		if err != nil {
			logf("cache: ignoring %s: %v", name, err)
			f.Close()
			continue
		}
		// Mapped, a warm run's hundreds of reads are no system calls and
		// no copies; where mapping fails, ReadAt does the same slower.
		var end int64
		for _, e := range entries {
			end = max(end, e.off+e.n)
		}
		var mapped []byte
		if mapPacks {
			mapped, _ = mapFile(f, end)
		}
		for _, e := range entries {
			index[e.key] = packLoc{f: f, mapped: mapped, off: e.off, n: e.n, sum: e.sum}
		}
		files = append(files, f)
	}
	return index, files
}

func readPackIndex(f *os.File) ([]packEntry, error) {
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	size := st.Size()
	if size < packTrailerLen {
		return nil, fmt.Errorf("shorter than a pack trailer")
	}
	var tr [packTrailerLen]byte
	if _, err := f.ReadAt(tr[:], size-packTrailerLen); err != nil {
		return nil, err
	}
	if string(tr[8+8+sha256.Size:]) != packMagic {
		return nil, fmt.Errorf("no %q trailer", strings.TrimSpace(packMagic))
	}
	off, n := int64(binary.BigEndian.Uint64(tr[0:8])), int64(binary.BigEndian.Uint64(tr[8:16]))
	if n > maxPackIndex || off < 0 || n < 0 || off+n != size-packTrailerLen {
		return nil, fmt.Errorf("trailer gives index at %d, %d bytes, in a file of %d bytes", off, n, size)
	}
	idx := make([]byte, n)
	if _, err := f.ReadAt(idx, off); err != nil {
		return nil, err
	}
	if sha256.Sum256(idx) != [sha256.Size]byte(tr[16:16+sha256.Size]) {
		return nil, fmt.Errorf("index does not match its sha256")
	}
	var entries []packEntry
	for i, line := range strings.Split(strings.TrimSuffix(string(idx), "\n"), "\n") {
		if line == "" {
			continue
		}
		fields := strings.Split(line, "\t")
		if len(fields) != 5 {
			return nil, fmt.Errorf("index line %d: %d fields, want 5", i+1, len(fields))
		}
		eo, err1 := strconv.ParseInt(fields[2], 10, 64)
		en, err2 := strconv.ParseInt(fields[3], 10, 64)
		sum, err3 := hex.DecodeString(fields[4])
		if err1 != nil || err2 != nil || err3 != nil || len(sum) != sha256.Size || eo < 0 || en < 0 || eo+en > off {
			return nil, fmt.Errorf("index line %d: malformed %q", i+1, line)
		}
		entries = append(entries, packEntry{key: packKey{fields[0], fields[1]}, off: eo, n: en, sum: [sha256.Size]byte(sum)})
	}
	return entries, nil
}
