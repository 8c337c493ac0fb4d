<?xml version="1.0"?>
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">
  <xsl:output method="text"/>
  <xsl:template match="/catalog"><xsl:for-each select="item"><xsl:value-of select="@sku"/>=<xsl:value-of select="."/><xsl:text> </xsl:text></xsl:for-each></xsl:template>
</xsl:stylesheet>
