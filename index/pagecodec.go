package index

import (
	"encoding/binary"
	"errors"
	"time"

	"github.com/safepip/safepip/pypa/pep440"
	"github.com/safepip/safepip/pypa/tags"
	"github.com/safepip/safepip/pypa/wheel"
)

// A parsed page is cached by the content it was parsed from (see
// Client.parsedPage), in a compact binary form that decodes several times
// faster than the page parses: a page revalidated unchanged (304) or fresh
// by max-age costs no JSON or HTML parse and no file-name parse.
//
// The form: pageCodecMagic, then the Project's strings and the Files, each
// string as a uvarint length and its bytes, each count as a uvarint, each
// flag as one byte. Versions are stored in their normal form and parsed
// again (a Version is its normal form; the parse is idempotent).

const pageCodecMagic = "safepip-page-1\x00"

// errPageCodec is any entry that does not decode: the caller parses the
// page instead.
var errPageCodec = errors.New("not an encoded page")

// parsedCacheKey is the cache key of a page's parse: everything the parse
// depends on (the body by its sha256), the codec included.
func parsedCacheKey(page *cachedPage, project string) string {
	return cacheKey(pageCodecMagic, page.FinalURL, page.ContentType, project, page.BodySHA256)
}

func encodeProject(p *Project) []byte {
	b := []byte(pageCodecMagic)
	str := func(s string) {
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	num := func(n int) { b = binary.AppendUvarint(b, uint64(n)) }
	flag := func(ok bool) {
		if ok {
			b = append(b, 1)
		} else {
			b = append(b, 0)
		}
	}
	strs := func(ss []string) {
		flag(ss != nil)
		num(len(ss))
		for _, s := range ss {
			str(s)
		}
	}
	hashes := func(m map[string]string) {
		flag(m != nil)
		num(len(m))
		for k, v := range m { // order does not matter: decoded into a map
			str(k)
			str(v)
		}
	}
	str(p.Name)
	str(p.URL)
	str(p.APIVersion)
	strs(p.Versions)
	strs(p.Skipped)
	flag(p.Files != nil)
	num(len(p.Files))
	for i := range p.Files {
		f := &p.Files[i]
		str(f.Filename)
		str(f.URL)
		hashes(f.Hashes)
		str(f.RequiresPython)
		flag(f.Yanked)
		str(f.YankedReason)
		flag(f.CoreMetadata)
		hashes(f.CoreMetadataHashes)
		b = binary.AppendVarint(b, f.Size)
		flag(!f.UploadTime.IsZero())
		if !f.UploadTime.IsZero() {
			b = binary.AppendVarint(b, f.UploadTime.Unix())
			num(f.UploadTime.Nanosecond())
		}
		str(f.Provenance)
		flag(f.Wheel != nil)
		if w := f.Wheel; w != nil {
			str(w.Name)
			str(w.Version.String())
			str(w.Build)
			num(len(w.Tags))
			for _, t := range w.Tags {
				str(t.Interpreter)
				str(t.ABI)
				str(t.Platform)
			}
		}
		flag(f.Sdist != nil)
		if sd := f.Sdist; sd != nil {
			str(sd.Name)
			str(sd.Version.String())
		}
	}
	return b
}

// pageDecoder reads what encodeProject wrote. Strings are substrings of
// one copy of the entry; the first malformed read sets err and every
// later read returns zero values.
type pageDecoder struct {
	s   string
	err error
}

func (d *pageDecoder) fail() {
	if d.err == nil {
		d.err = errPageCodec
	}
	d.s = ""
}

func (d *pageDecoder) uvarint() uint64 {
	if d.err != nil {
		return 0
	}
	// binary.Uvarint on a string's bytes without copying them
	var x uint64
	for i, shift := 0, uint(0); i < len(d.s) && i < binary.MaxVarintLen64; i, shift = i+1, shift+7 {
		c := d.s[i]
		if c < 0x80 {
			if i == binary.MaxVarintLen64-1 && c > 1 {
				break
			}
			d.s = d.s[i+1:]
			return x | uint64(c)<<shift
		}
		x |= uint64(c&0x7f) << shift
	}
	d.fail()
	return 0
}

func (d *pageDecoder) varint() int64 {
	u := d.uvarint()
	x := int64(u >> 1)
	if u&1 != 0 {
		x = ^x
	}
	return x
}

// count reads a count of items, each at least min bytes long, so that a
// damaged count cannot make the decoder allocate more than the entry holds.
func (d *pageDecoder) count(min int) int {
	n := d.uvarint()
	if n > uint64(len(d.s)/min) {
		d.fail()
		return 0
	}
	return int(n)
}

func (d *pageDecoder) str() string {
	n := d.uvarint()
	if n > uint64(len(d.s)) {
		d.fail()
		return ""
	}
	s := d.s[:n]
	d.s = d.s[n:]
	return s
}

func (d *pageDecoder) flag() bool {
	if d.err != nil || d.s == "" {
		d.fail()
		return false
	}
	c := d.s[0]
	d.s = d.s[1:]
	if c > 1 {
		d.fail()
	}
	return c == 1
}

func (d *pageDecoder) strs() []string {
	isSet := d.flag()
	n := d.count(1)
	if !isSet {
		return nil
	}
	out := make([]string, n)
	for i := range out {
		out[i] = d.str()
	}
	return out
}

func (d *pageDecoder) hashes() map[string]string {
	isSet := d.flag()
	n := d.count(2)
	if !isSet {
		return nil
	}
	m := make(map[string]string, n)
	for range n {
		k := d.str()
		m[k] = d.str()
	}
	return m
}

func (d *pageDecoder) version() pep440.Version {
	v, err := pep440.Parse(d.str())
	if err != nil {
		d.fail()
	}
	return v
}

func decodeProject(data []byte) (*Project, error) {
	s := string(data) // one copy; every string below is a part of it
	if len(s) < len(pageCodecMagic) || s[:len(pageCodecMagic)] != pageCodecMagic {
		return nil, errPageCodec
	}
	d := &pageDecoder{s: s[len(pageCodecMagic):]}
	p := &Project{Name: d.str(), URL: d.str(), APIVersion: d.str()}
	p.Versions = d.strs()
	p.Skipped = d.strs()
	hasFiles := d.flag()
	n := d.count(8)
	if hasFiles {
		p.Files = make([]File, n)
	}
	for i := range p.Files {
		f := &p.Files[i]
		f.Filename = d.str()
		f.URL = d.str()
		f.Hashes = d.hashes()
		f.RequiresPython = d.str()
		f.Yanked = d.flag()
		f.YankedReason = d.str()
		f.CoreMetadata = d.flag()
		f.CoreMetadataHashes = d.hashes()
		f.Size = d.varint()
		if d.flag() {
			sec := d.varint()
			nsec := d.uvarint()
			if nsec >= 1e9 {
				d.fail()
			}
			f.UploadTime = time.Unix(sec, int64(nsec)).UTC()
		}
		f.Provenance = d.str()
		if d.flag() {
			w := &wheel.Wheel{Name: d.str(), Version: d.version(), Build: d.str()}
			nt := d.count(3)
			if nt > 0 {
				w.Tags = make([]tags.Tag, nt)
			}
			for j := range w.Tags {
				w.Tags[j] = tags.Tag{Interpreter: d.str(), ABI: d.str(), Platform: d.str()}
			}
			f.Wheel = w
		}
		if d.flag() {
			f.Sdist = &wheel.Sdist{Name: d.str(), Version: d.version()}
		}
		if d.err != nil {
			return nil, d.err
		}
	}
	if d.err != nil || d.s != "" {
		return nil, errPageCodec
	}
	return p, nil
}
