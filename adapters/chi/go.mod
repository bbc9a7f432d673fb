module github.com/sessionkit/sessionkit/adapters/chi

go 1.25

require (
	github.com/go-chi/chi/v5 v5.5.0
	github.com/sessionkit/sessionkit/adapters/adaptertest v0.0.0-00010101000000-000000000000
	github.com/sessionkit/sessionkit/core v0.0.0-00010101000000-000000000000
)

replace (
	github.com/sessionkit/sessionkit/adapters/adaptertest => ../adaptertest
	github.com/sessionkit/sessionkit/core => ../../core
)
