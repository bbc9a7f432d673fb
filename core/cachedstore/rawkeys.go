package cachedstore

// RawKeys passes on whether the durable store keeps keys as Django does
// (gormstore on django_session), so that sessions.New still refuses
// Config.HashKeys over it. False answers the same as the method's absence.
func (s *Store) RawKeys() bool {
	rk, ok := s.durable.(interface{ RawKeys() bool })
	return ok && rk.RawKeys()
}
