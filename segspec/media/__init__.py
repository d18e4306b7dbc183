"""Media primitives: running ffmpeg, probing files, encoder settings."""
