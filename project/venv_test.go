package project

import "testing"

// TestVenvPython pins the interpreter of a virtual environment on each
// OS, whatever OS the test runs on.
func TestVenvPython(t *testing.T) {
	tests := []struct{ dir, goos, want string }{
		{"/home/me/proj/.venv", "linux", "/home/me/proj/.venv/bin/python"},
		{"/home/me/proj/.venv/", "darwin", "/home/me/proj/.venv/bin/python"},
		{"/", "freebsd", "/bin/python"},
		{`C:\Users\me\proj\.venv`, "windows", `C:\Users\me\proj\.venv\Scripts\python.exe`},
		{`C:\Users\me\proj\.venv\`, "windows", `C:\Users\me\proj\.venv\Scripts\python.exe`},
		{`D:/work/venv/`, "windows", `D:/work/venv\Scripts\python.exe`},
	}
	for _, tt := range tests {
		if got := venvPython(tt.dir, tt.goos); got != tt.want {
			t.Errorf("venvPython(%q, %q) = %q, want %q", tt.dir, tt.goos, got, tt.want)
		}
	}
	for goos, want := range map[string]string{"linux": "python3", "darwin": "python3", "windows": "python"} {
		if got := defaultPython(goos); got != want {
			t.Errorf("defaultPython(%q) = %q, want %q", goos, got, want)
		}
	}
}
