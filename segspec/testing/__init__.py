"""Test support shipped with segspec: the ICE emulator and other doubles for test suites."""
