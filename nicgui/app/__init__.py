"""What the application does, without Qt: shared by the desktop app and the command line."""
