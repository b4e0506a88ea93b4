# Removes one release from the build server once the app server has it; deps/ and _build/ stay.
rm -f -- @@LINK@@
@@DELETE@@
