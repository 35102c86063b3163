// Package tags implements compatibility tags (PEP 425, PEP 600 manylinux,
// PEP 656 musllinux, macOS, Windows) and generates the ordered list of tags
// an interpreter supports, as packaging.tags.sys_tags does.
//
// SKELETON: the exported API below is the contract other packages code
// against; the implementation fills it in.
package tags

// Tag is one interpreter-abi-platform triple such as cp311-cp311-manylinux_2_17_x86_64.
type Tag struct {
	Interpreter, ABI, Platform string
}

// String returns "interpreter-abi-platform".
func (t Tag) String() string { return t.Interpreter + "-" + t.ABI + "-" + t.Platform }
