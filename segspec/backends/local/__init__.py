"""The embedded local engine: real ffmpeg cuts on this machine."""
