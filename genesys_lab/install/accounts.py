"""Who can read a file: the POSIX permission check the kernel makes, done on paper.

The guide asks for two things at once on a UNIX host: the certificate files
must be readable by every Genesys application on the host, and the private
key only by the people allowed to handle it. Whether an account can read a
file follows the access-check algorithm of POSIX (IEEE Std 1003.1, "File
Access Permissions", and acl(5) on Linux for files with an access ACL):

1. uid 0 reads every file (CAP_DAC_OVERRIDE; a folder is searchable by
   root when any x bit is set, or always for reading entries);
2. the file's owner gets the owner bits (or the ACL_USER_OBJ entry);
3. a named-user ACL entry for the uid, masked by ACL_MASK;
4. any group of the account matching the owning group or a named-group
   entry: the group bits (masked) of the first that grants the access;
5. otherwise the "other" bits.

The tests prove every verdict by reading the file as that uid with
``setpriv``: this module says "readable" exactly when the read succeeds.
"""

from __future__ import annotations

import grp
import os
import pwd
import stat
import struct
from dataclasses import dataclass
from pathlib import Path

from genesys_lab.errors import UsageError

_ACL_XATTR = "system.posix_acl_access"
# acl(5) tags as the Linux kernel stores them (include/uapi/linux/posix_acl.h)
_USER_OBJ, _USER, _GROUP_OBJ, _GROUP, _MASK, _OTHER = 0x01, 0x02, 0x04, 0x08, 0x10, 0x20
_BITS = {"r": 4, "w": 2, "x": 1}


@dataclass(frozen=True)
class Account:
    """An application's account: its uid and every group it runs with."""

    uid: int
    gids: frozenset[int]
    name: str

    def __str__(self) -> str:
        return self.name


def _uid_of(value: str) -> tuple[int, str, int | None]:
    text = str(value).strip()
    if text.isdigit():
        uid = int(text)
        try:
            entry = pwd.getpwuid(uid)
            return uid, text, entry.pw_gid
        except KeyError:
            return uid, text, None
    try:
        entry = pwd.getpwnam(text)
    except KeyError:
        raise UsageError(f"account {text!r} does not exist on this host: give a user name from /etc/passwd or a numeric uid") from None
    return entry.pw_uid, text, entry.pw_gid


def group_id(value) -> int:
    """A group given by name or number (a number need not exist in /etc/group)."""
    text = str(value).strip()
    if text.isdigit():
        return int(text)
    try:
        return grp.getgrnam(text).gr_gid
    except KeyError:
        raise UsageError(f"group {text!r} does not exist on this host: give a group name from /etc/group or a numeric gid") from None


def user_id(value) -> int:
    return _uid_of(value)[0]


def resolve(account, group=None) -> Account:
    """The account a Genesys application runs as, with its groups.

    A numeric uid that has no entry in /etc/passwd has no known groups:
    ``group`` then names the group it runs with (setpriv --regid).
    """
    uid, name, primary = _uid_of(account)
    gids = set() if primary is None else {primary}
    if primary is not None and not name.isdigit():
        gids |= {g.gr_gid for g in grp.getgrall() if name in g.gr_mem}
    elif primary is not None:
        with_name = pwd.getpwuid(uid).pw_name
        gids |= {g.gr_gid for g in grp.getgrall() if with_name in g.gr_mem}
    if group is not None:
        gids.add(group_id(group))
    return Account(uid, frozenset(gids), name)


@dataclass(frozen=True)
class AclEntry:
    tag: int
    perm: int
    id: int | None


def read_acl(path: Path) -> tuple[AclEntry, ...]:
    """The file's access ACL entries, or () when it has none (only the mode bits count then)."""
    try:
        data = os.getxattr(path, _ACL_XATTR)
    except OSError:
        return ()
    entries = []
    for offset in range(4, len(data) - 7, 8):
        tag, perm, ident = struct.unpack_from("<HHI", data, offset)
        entries.append(AclEntry(tag, perm, ident if tag in (_USER, _GROUP) else None))
    return tuple(entries)


def extended_acl(path: Path) -> tuple[AclEntry, ...]:
    """The named-user and named-group entries: what an ACL adds to the mode bits."""
    return tuple(e for e in read_acl(path) if e.tag in (_USER, _GROUP))


def can(account: Account, path, want: str) -> bool:
    """Whether ``account`` may read ("r"), write ("w") or search/execute ("x") ``path``."""
    path = Path(path)
    info = path.stat()
    bit = _BITS[want]
    if account.uid == 0:
        return want != "x" or stat.S_ISDIR(info.st_mode) or bool(info.st_mode & 0o111)
    acl = read_acl(path)
    if acl:
        return _acl_allows(acl, info, account, bit)
    mode = info.st_mode
    if account.uid == info.st_uid:
        return bool(mode & (bit << 6))
    if info.st_gid in account.gids:
        return bool(mode & (bit << 3))
    return bool(mode & bit)


def _acl_allows(acl, info, account: Account, bit: int) -> bool:
    by_tag = {e.tag: e for e in acl if e.tag in (_USER_OBJ, _GROUP_OBJ, _MASK, _OTHER)}
    mask = by_tag[_MASK].perm if _MASK in by_tag else 7
    if account.uid == info.st_uid:
        return bool(by_tag[_USER_OBJ].perm & bit)
    for entry in acl:
        if entry.tag == _USER and entry.id == account.uid:
            return bool(entry.perm & mask & bit)
    groups = [by_tag[_GROUP_OBJ]] if info.st_gid in account.gids else []
    groups += [e for e in acl if e.tag == _GROUP and e.id in account.gids]
    if groups:
        return any(e.perm & mask & bit for e in groups)
    return bool(by_tag[_OTHER].perm & bit)


@dataclass(frozen=True)
class Readers:
    """Everyone besides root who can read a file, by the way they get in."""

    owner: int | None  # the owning uid, when the owner bits (or ACL_USER_OBJ) allow reading
    group: int | None  # the owning gid, when the group bits allow reading
    others: bool
    named_users: tuple[int, ...]
    named_groups: tuple[int, ...]


def readers(path) -> Readers:
    path = Path(path)
    info = path.stat()
    acl = read_acl(path)
    if not acl:
        mode = info.st_mode
        return Readers(
            info.st_uid if mode & 0o400 else None, info.st_gid if mode & 0o040 else None, bool(mode & 0o004), (), ()
        )
    by_tag = {e.tag: e for e in acl if e.tag in (_USER_OBJ, _GROUP_OBJ, _MASK, _OTHER)}
    mask = by_tag[_MASK].perm if _MASK in by_tag else 7
    return Readers(
        info.st_uid if by_tag[_USER_OBJ].perm & 4 else None,
        info.st_gid if by_tag[_GROUP_OBJ].perm & mask & 4 else None,
        bool(by_tag[_OTHER].perm & 4),
        tuple(e.id for e in acl if e.tag == _USER and e.perm & mask & 4 and e.id is not None),
        tuple(e.id for e in acl if e.tag == _GROUP and e.perm & mask & 4 and e.id is not None),
    )


def name_of_uid(uid: int) -> str:
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return str(uid)


def name_of_gid(gid: int) -> str:
    try:
        return grp.getgrgid(gid).gr_name
    except KeyError:
        return str(gid)
