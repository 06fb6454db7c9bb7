"""App-level glue: the installation self-test and desktop integration (menu entry,
icons). Used by the command line; Qt only inside the checks that need the window."""
