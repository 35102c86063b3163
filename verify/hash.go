package verify

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os"
)

// FileSHA256 returns the sha256 of the file at path, as lower-case hex:
// the form the lock and PEP 503 pages use.
func FileSHA256(path string) (string, error) {
	sum, err := fileDigest(path)
	if err != nil {
		return "", err
	}
	return hex.EncodeToString(sum), nil
}

// fileDigest streams the file at path through sha256.
func fileDigest(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return nil, err
	}
	return h.Sum(nil), nil
}
