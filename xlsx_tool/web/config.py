"""What the web page may accept and keep: limits, lifetimes, who can reach it.

Every number a user may run into is here and printed on the page (页面底部“上传限制”) and in the
README, so the limits are documented once.  Sizes are bytes, times seconds.
"""
from __future__ import annotations

import ipaddress
import secrets
from dataclasses import dataclass, field
from pathlib import Path

MB = 2**20

#: One uploaded file (a filled workbook is well under 1 MB; the reader itself refuses 50 MB).
MAX_FILE_BYTES = 20 * MB
#: One request (a batch of files or one .zip), and the number of files in it.
MAX_BATCH_BYTES = 200 * MB
MAX_BATCH_FILES = 500
#: A .zip of reports: members, each member unpacked, all members unpacked, and the ratio
#: unpacked : packed allowed for a member bigger than :data:`ZIP_RATIO_MIN_BYTES`.
MAX_ZIP_MEMBERS = 500
MAX_ZIP_TOTAL_BYTES = 200 * MB
MAX_ZIP_RATIO = 100
ZIP_RATIO_MIN_BYTES = 1 * MB
#: What one browser session may keep on disk, and how many sessions may exist at once.
MAX_SESSION_BYTES = 600 * MB
MAX_SESSIONS = 500
#: A session's files are deleted this long after its last request (and all of them at shutdown).
KEEP_MINUTES = 120
#: How often expired sessions are swept.
SWEEP_SECONDS = 60
#: One clerk job (check, render, template) and one review batch, in wall seconds; a PDF conversion.
JOB_SECONDS = 120
BATCH_SECONDS = 1800
#: An upload that sends nothing for this long is dropped (a stalled client holds no slot forever).
IDLE_UPLOAD_SECONDS = 60
#: Form fields that are not files: how many and how long each.
MAX_FIELDS = 2000
MAX_FIELD_BYTES = 64 * 1024
#: Failed access-code attempts allowed per client address per minute.
MAX_LOGIN_FAILURES = 10

LOOPBACK_NAMES = ("localhost",)


def is_loopback(host: str) -> bool:
    """Whether binding to ``host`` keeps the page on this computer (127.0.0.0/8, ::1, localhost)."""
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def new_access_code() -> str:
    """A code to read out to a colleague: 12 letters and digits without look-alikes, ``k7m2-p9x4-h3qd``."""
    alphabet = "23456789abcdefghjkmnpqrstuvwxyz"
    raw = "".join(secrets.choice(alphabet) for _ in range(12))
    return "-".join(raw[i:i + 4] for i in range(0, 12, 4))


@dataclass
class Settings:
    """How one server runs.  ``root`` is the application's private temporary folder (created by
    :func:`xlsx_tool.web.app.create_app` when ``None``); ``access_code`` is required from every
    browser when the server listens on anything but loopback."""
    host: str = "127.0.0.1"
    port: int = 8000
    access_code: str | None = None
    root: Path | None = None
    keep_minutes: int = KEEP_MINUTES
    max_file_bytes: int = MAX_FILE_BYTES
    max_batch_bytes: int = MAX_BATCH_BYTES
    max_batch_files: int = MAX_BATCH_FILES
    max_session_bytes: int = MAX_SESSION_BYTES
    max_sessions: int = MAX_SESSIONS
    workers: int = 2
    job_seconds: float = JOB_SECONDS
    extra_hosts: tuple[str, ...] = field(default_factory=tuple)

    @property
    def local_only(self) -> bool:
        return is_loopback(self.host)

    @property
    def needs_code(self) -> bool:
        return bool(self.access_code) or not self.local_only

    def limits_text(self) -> list[str]:
        """The limits as the page and the README state them."""
        return [
            f"每个文件不超过 {self.max_file_bytes // MB} MB；一次最多上传 {self.max_batch_files} 个文件、"
            f"合计不超过 {self.max_batch_bytes // MB} MB。",
            f".zip 压缩包：最多 {MAX_ZIP_MEMBERS} 个文件，解压后合计不超过 {MAX_ZIP_TOTAL_BYTES // MB} MB，"
            f"单个文件压缩比不超过 {MAX_ZIP_RATIO}:1；不能含绝对路径或“..”。",
            "文件类型按内容判断，不按扩展名；工作簿的检查与命令行 xlsx-tool check 完全相同。",
            f"处理一个文件（读取、检查、生成报告）超过 {self.job_seconds / 60:.0f} 分钟即停止；"
            "处理在独立的进程中进行，有问题的文件不会影响其他人。",
            f"上传和生成的文件只保存在本机的临时文件夹中，只有上传它的浏览器能看到；"
            f"{self.keep_minutes} 分钟无操作或程序停止后自动删除。",
        ]
