package metadata

import (
	"errors"
	"fmt"
	"strings"
)

// WheelInfo is a parsed WHEEL file (PEP 427).
type WheelInfo struct {
	WheelVersion  string   // "1.0"
	Generator     string   // "" when absent
	RootIsPurelib bool     // Root-Is-Purelib: true
	Tags          []string // each Tag, e.g. "py3-none-any", in order
	Build         string   // build number, "" when absent
}

// ParseWheel parses a WHEEL file named name. Wheel-Version is required and
// must be 1.x: PEP 427 tells installers to refuse a newer major version.
func ParseWheel(name string, data []byte) (*WheelInfo, error) {
	headers, _, err := parseHeaders(name, data)
	if err != nil {
		return nil, err
	}
	m := &Metadata{headers: headers}
	w := &WheelInfo{
		Generator: m.single("Generator"),
		Tags:      m.multi("Tag"),
		Build:     m.single("Build"),
	}
	h, ok := m.first("Wheel-Version")
	if !ok {
		return nil, &Error{File: name, Err: fmt.Errorf("%w: Wheel-Version", ErrMissingField)}
	}
	w.WheelVersion = unfold(h.Value)
	major, minor, _ := strings.Cut(w.WheelVersion, ".")
	if major != "1" || minor == "" || strings.Trim(minor, "0123456789") != "" {
		return nil, &Error{File: name, Line: h.Line, Field: h.Name, Value: h.Value, Err: errors.New("unsupported Wheel-Version; this tool reads 1.x")}
	}
	if h, ok := m.first("Root-Is-Purelib"); ok {
		switch strings.ToLower(unfold(h.Value)) {
		case "true":
			w.RootIsPurelib = true
		case "false":
		default:
			return nil, &Error{File: name, Line: h.Line, Field: h.Name, Value: h.Value, Err: errors.New(`want "true" or "false"`)}
		}
	}
	return w, nil
}
