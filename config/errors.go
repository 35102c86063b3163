package config

import (
	"fmt"
	"strconv"
)

// Error is a problem with the configuration: a malformed value, an unknown
// key, or two declarations that conflict. It is an input error (exit 2).
type Error struct {
	File string // the file, or a source such as "requirements.txt:3"
	Line int    // 1-based; 0 when unknown
	Key  string // dotted key such as "policy.allow-sdist" or "index.packages"; "" for the whole file
	Msg  string // what is wrong and what is allowed
}

func (e *Error) Error() string {
	s := e.File
	if e.Line > 0 {
		s += ":" + strconv.Itoa(e.Line)
	}
	if s != "" {
		s += ": "
	}
	if e.Key != "" {
		s += e.Key + ": "
	}
	return s + e.Msg
}

// errorf builds an *Error.
func errorf(file string, line int, key, format string, args ...any) *Error {
	return &Error{File: file, Line: line, Key: key, Msg: fmt.Sprintf(format, args...)}
}
