ssh-fleet bundles the following third-party software; each keeps its own licence.

<#list dependencyMap as e>
<#assign project = e.getKey()/>
<#assign licenses = e.getValue()/>
  ${project.groupId}:${project.artifactId}:${project.version} (${licenses?join(", ")})
</#list>

Font, in io/github/sshfleet/render/fonts/:
  JetBrains Mono 2.242 Regular and Bold, Copyright 2020 JetBrains s.r.o. (Apache License 2.0; the text is
  LICENSE-Apache-2.0.txt beside the font files)
