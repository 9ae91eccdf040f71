"""Installing certificates on UNIX hosts and for Java, and installing the Security Pack.

The guide's last three sections, done for real: ``bundle`` writes exactly the
files a host of each kind receives, ``checker`` checks an installed folder as
the application's account will see it (``accounts`` is the kernel's permission
check on paper), ``javatls`` runs real handshakes between Java and the lab's
TLS peer, ``pack`` installs the lab's Security Pack scripts with README.version.
"""
