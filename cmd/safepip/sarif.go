package main

import (
	"encoding/json"
	"os"

	"github.com/safepip/safepip/sarif"
)

// printSARIF writes log to stdout, alone, so that stdout is a SARIF file.
func printSARIF(e *env, log *sarif.Log) error {
	enc := json.NewEncoder(e.stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(log)
}

// sarifFiles are the files SARIF results point into: the requirements
// files and the lock, relative to the working directory.
func sarifFiles(requirements []string, lockPath string) sarif.Files {
	dir, err := os.Getwd()
	if err != nil {
		dir = ""
	}
	return sarif.Files{Dir: dir, Requirements: requirements, Lock: lockPath, Read: os.ReadFile}
}
