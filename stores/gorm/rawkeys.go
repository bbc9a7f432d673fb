package gormstore

import "strings"

// RawKeys reports whether the store's table is Django's django_session
// (in any schema), where Django looks sessions up by the raw key: core
// refuses sessions.Config.HashKeys over such a store, since hashed keys
// would hide every session from Django and Django's from Go.
func (s *Store) RawKeys() bool {
	name := s.table
	if i := strings.LastIndexByte(name, '.'); i >= 0 {
		name = name[i+1:]
	}
	return strings.EqualFold(name, "django_session")
}
