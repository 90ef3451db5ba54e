"""The web desk under /desk: counselors and coordinators log in, run their agenda, open a
person's record, record attendance and the stages of the person's path, and mark absences.

`bot.desk.mount.mount_desk` puts it into the web app; each page is a module with its own router.
"""
