// Package audit answers the question the dependency confusion attack asks
// of every team with a private index: which of our project names can
// someone else publish on the public index? It classifies each private
// project's exposure, and builds the placeholder packages that claim an
// unclaimed name (BuildPlaceholder).
//
// Routing (the packages pins of safepip.toml) is the real protection; a
// reserved public name is the second line of defence, for the machines
// where someone runs plain pip.
package audit
