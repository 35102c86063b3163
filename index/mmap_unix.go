//go:build unix

package index

import (
	"os"
	"syscall"
)

// mapFile maps the first size bytes of f read-only; a pack is never
// written after it is renamed into place, and a removed one stays mapped.
func mapFile(f *os.File, size int64) ([]byte, error) {
	if size <= 0 || int64(int(size)) != size {
		return nil, syscall.EINVAL
	}
	return syscall.Mmap(int(f.Fd()), 0, int(size), syscall.PROT_READ, syscall.MAP_SHARED)
}
